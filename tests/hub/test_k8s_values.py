"""deploy/k8s/values.yaml: cannot run here (no Kubernetes), so its structure is checked."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import yaml

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
REPO = K8S.parents[1]

# The keys of the Zero to JupyterHub chart (4.x) that our deployment relies on.
SCHEMA = {
    "type": "object",
    "required": ["hub", "proxy", "singleuser", "cull"],
    "properties": {
        "hub": {
            "type": "object",
            "required": ["config", "db", "extraConfig"],
            "properties": {
                "config": {
                    "type": "object",
                    "required": ["JupyterHub", "Authenticator"],
                    "properties": {
                        "Authenticator": {
                            "type": "object",
                            "required": ["admin_users"],
                            "properties": {"admin_users": {"type": "array", "minItems": 1}},
                        }
                    },
                },
                "db": {
                    "type": "object",
                    "properties": {
                        "type": {
                            "enum": ["sqlite-pvc", "sqlite-memory", "mysql", "postgres", "other"]
                        }
                    },
                },
                "extraConfig": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "singleuser": {
            "type": "object",
            "required": ["image", "cpu", "memory", "storage", "defaultUrl"],
            "properties": {
                "image": {"type": "object", "required": ["name", "tag"]},
                "cpu": {"type": "object", "required": ["limit", "guarantee"]},
                "memory": {"type": "object", "required": ["limit", "guarantee"]},
                "storage": {
                    "type": "object",
                    "required": ["extraVolumes", "extraVolumeMounts"],
                    "properties": {
                        "extraVolumeMounts": {
                            "type": "array",
                            "items": {"type": "object", "required": ["name", "mountPath"]},
                        }
                    },
                },
            },
        },
        "cull": {
            "type": "object",
            "required": ["enabled", "timeout"],
            "properties": {
                "enabled": {"const": True},
                "timeout": {"type": "integer", "minimum": 60},
            },
        },
    },
}


def values() -> dict:
    return yaml.safe_load((K8S / "values.yaml").read_text(encoding="utf-8"))


def test_values_match_the_keys_we_rely_on() -> None:
    jsonschema.validate(values(), SCHEMA)


def test_exchange_and_course_volumes_are_mounted_where_the_config_expects() -> None:
    storage = values()["singleuser"]["storage"]
    volumes = {v["name"] for v in storage["extraVolumes"]}
    mounts = {m["name"]: m["mountPath"] for m in storage["extraVolumeMounts"]}
    assert set(mounts) <= volumes
    assert mounts["exchange"] == "/srv/exchange"
    extra = values()["hub"]["extraConfig"]["10-roles.py"]
    assert '"/srv/exchange"' in extra and '"/srv/course"' in extra


def test_extra_config_is_valid_python() -> None:
    for name, code in values()["hub"]["extraConfig"].items():
        compile(code, name, "exec")


def test_dockerfile_copies_files_that_exist() -> None:
    text = (K8S / "Dockerfile").read_text(encoding="utf-8")
    assert "deploy/jupyterlab/overrides.json" in text
    assert (REPO / "deploy" / "jupyterlab" / "overrides.json").is_file()
    role_dirs = values()["hub"]["extraConfig"]["10-roles.py"]
    assert "/opt/shequlab/deploy/hub/singleuser/" in role_dirs
    assert (REPO / "deploy" / "hub" / "singleuser" / "trainee" / "nbgrader_config.py").is_file()
    assert (REPO / "deploy" / "hub" / "singleuser" / "trainer" / "nbgrader_config.py").is_file()


def test_postgres_note_names_the_nbgrader_option() -> None:
    assert "c.CourseDirectory.db_url" in (K8S / "postgres.md").read_text(encoding="utf-8")
