"""Static checks of the container setup (no Docker engine is needed).

Takes: docker-compose.yml, Dockerfile, .dockerignore, .env.example, .gitignore, docs/neo4j.md.
Gives: tests that the compose file parses and has a pinned, password-protected, healthy Neo4j
with a named volume; that the app waits for it, uses the neo4j backend, builds then serves; that
no password is written anywhere; and that the Dockerfile installs requirements as a non-root user.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PASSWORD_REF = re.compile(r"^\$\{NEO4J_PASSWORD(:\?[^}]*)?\}$")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def _env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def test_compose_has_both_services(compose):
    assert {"neo4j", "app"} <= set(compose["services"])


def test_neo4j_image_is_pinned_to_a_5x_release(compose):
    image = compose["services"]["neo4j"]["image"]
    name, _, tag = image.partition(":")
    assert name == "neo4j"
    assert tag and tag != "latest" and "latest" not in tag
    assert re.fullmatch(r"5\.\d+\.\d+(-community|-enterprise)?", tag), tag


def test_neo4j_auth_comes_from_the_environment(compose):
    env = _env(compose["services"]["neo4j"])
    user, _, password = env["NEO4J_AUTH"].partition("/")
    assert user == "neo4j" and PASSWORD_REF.match(password), env["NEO4J_AUTH"]
    assert ":?" in password  # compose refuses to start without a password


def test_no_literal_password_anywhere(compose):
    for name, service in compose["services"].items():
        for key, value in _env(service).items():
            if "PASSWORD" in key:
                assert PASSWORD_REF.match(value), f"{name}.{key} = {value!r}"
            if key == "NEO4J_AUTH":
                assert value.split("/", 1)[1].startswith("${")
    for path in ("docker-compose.yml", "Dockerfile"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert "change-me" not in text
        assert not re.search(r"NEO4J_PASSWORD\s*[=:]\s*(?!\$\{)[\w/'\"]", text), path
        assert not re.search(r"NEO4J_AUTH\s*[=:]\s*[\"']?\w+/(?!\$\{)", text), path
    assert ".env" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()


def test_env_example_only_holds_a_placeholder():
    lines = [ln for ln in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    assert "NEO4J_PASSWORD=change-me-please" in lines


def test_neo4j_data_is_a_named_volume(compose):
    volumes = compose["services"]["neo4j"]["volumes"]
    data = [v for v in volumes if str(v).endswith(":/data")]
    assert data, volumes
    volume_name = str(data[0]).split(":", 1)[0]
    assert not volume_name.startswith((".", "/", "~"))  # a named volume, not a bind mount
    assert volume_name in (compose.get("volumes") or {})


def test_neo4j_ports(compose):
    ports = [str(p) for p in compose["services"]["neo4j"]["ports"]]
    assert any(p.endswith(":7474") for p in ports) and any(p.endswith(":7687") for p in ports)


def test_neo4j_healthcheck_runs_cypher_shell(compose):
    hc = compose["services"]["neo4j"]["healthcheck"]
    test = hc["test"] if isinstance(hc["test"], str) else " ".join(hc["test"])
    assert "cypher-shell" in test and "'RETURN 1'" in test
    assert '"$${NEO4J_PASSWORD}"' in test  # expanded in the container, not by compose
    for key in ("interval", "retries", "start_period"):
        assert key in hc


def test_app_waits_for_healthy_neo4j_and_uses_it(compose):
    app = compose["services"]["app"]
    assert app["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert "build" in app
    env = _env(app)
    assert env["POLICY_KG_BACKEND"] == "neo4j"
    assert env["NEO4J_URI"] == "bolt://neo4j:7687"
    assert "NEO4J_USER" in env and PASSWORD_REF.match(env["NEO4J_PASSWORD"])
    command = app["command"] if isinstance(app["command"], str) else " ".join(app["command"])
    build = command.index("python -m graph build --backend neo4j")
    serve = command.index(
        "streamlit run app.py --server.address 0.0.0.0 --server.port 8501 --server.headless true")
    assert build < serve and "&&" in command[build:serve]
    assert any(str(p).endswith("8501:8501") for p in app["ports"])


def test_dockerfile_installs_requirements_as_non_root():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    instructions = [ln.split(None, 1) for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    first = [i for i in instructions if i[0] == "FROM"]
    assert first and first[0][1].strip() == "python:3.11-slim"
    assert re.search(r"^RUN pip install .*-r requirements\.txt", text, re.M)
    assert re.search(r"^USER (?!root)\w+", text, re.M)
    assert re.search(r"^EXPOSE 8501", text, re.M)
    assert re.search(r"^HEALTHCHECK .*", text, re.M) and "/_stcore/health" in text
    assert (ROOT / "requirements.txt").exists()


def test_dockerignore_keeps_state_and_secrets_out():
    entries = {ln.strip() for ln in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
               if ln.strip() and not ln.startswith("#")}
    for needed in (".git", ".env", "var/", "__pycache__/", ".pytest_cache/", "test-artifacts/"):
        assert needed in entries, needed


def test_docs_explain_the_neo4j_setup():
    text = (ROOT / "docs" / "neo4j.md").read_text(encoding="utf-8")
    for needed in ("docker compose up", "NEO4J_URI=neo4j+s://", "python -m graph build --backend neo4j",
                   "shortestPath", "SHORTEST", "LOAD CSV", "COPY", "neo4j-admin database import full",
                   "python -m graph export neo4j", "record_json", "execute_write"):
        assert needed in text, needed
