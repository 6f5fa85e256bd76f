"""Reading a synthesized tenant template: its functions, resources by prefix, role statements."""


def functions(synth):
    """Functions by handler name (``app.app`` is the API handler): (logical id, properties)."""
    found = {}
    for logical_id, resource in synth.resources("AWS::Serverless::Function").items():
        name = resource["Properties"]["Handler"].split(".", 1)[1]
        found["api_handler" if name == "app" else name] = (logical_id, resource["Properties"])
    return found


def logical_id(synth, kind, prefix):
    """The one resource of ``kind`` whose logical id starts with ``prefix``."""
    [found] = [key for key in synth.resources(kind) if key.startswith(prefix)]
    return found


def statements(synth, function):
    """The statements of the inline policy of ``function``'s own role."""
    role = function["Role"]["Fn::GetAtt"][0]
    [policy] = synth.template["Resources"][role]["Properties"]["Policies"]
    return policy["PolicyDocument"]["Statement"]
