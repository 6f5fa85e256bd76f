"""The pure core: calendars, SLA policies, card events and timer evaluation.

Standard library only: no boto3, pynamodb, chalice or powertools here. Every
function that needs the current time takes ``now`` as an argument.
"""
