"""Names the routes' declarations share: media types and the sign-in page's path.

Standard library only, and nothing else: ``chalicelib.api.serving`` reads the
declarations of routes without importing their modules, and resolves these
names from here.
"""

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
HTML = "text/html"
SIGN_IN_PATH = "/login"
