"""The public health route through Chalice's test client."""

from chalice.test import Client

from app import app


def test_health_answers_ok():
    with Client(app) as client:
        response = client.http.get("/health")
    assert response.status_code == 200
    assert response.json_body == {"status": "ok"}
