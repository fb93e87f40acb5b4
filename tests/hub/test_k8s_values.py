"""deploy/k8s/values.yaml: cannot run here (no Kubernetes), so its structure is checked."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
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


def spawn_as(admin: bool, volumes) -> SimpleNamespace:
    """Run the chart's pre_spawn_hook (10-roles.py) on a stand-in KubeSpawner."""
    c = SimpleNamespace(KubeSpawner=SimpleNamespace())
    exec(values()["hub"]["extraConfig"]["10-roles.py"], {"c": c})  # our own file
    storage = values()["singleuser"]["storage"]
    spawner = SimpleNamespace(
        user=SimpleNamespace(admin=admin, id=7),
        environment={},
        volumes=volumes(storage["extraVolumes"]),
        volume_mounts=volumes(storage["extraVolumeMounts"]),
    )
    c.KubeSpawner.pre_spawn_hook(spawner)
    return spawner


def _items(volumes) -> list[dict]:
    return list(volumes.values()) if isinstance(volumes, dict) else list(volumes)


@pytest.mark.parametrize("volumes", [list, lambda items: {v["name"]: v for v in items}])
def test_only_trainers_pods_get_the_course_volume(volumes, monkeypatch) -> None:
    # The hub's own environment (monkeypatched: a leaked URL would redirect every later gradebook)
    monkeypatch.setenv("SHEQULAB_GRADEBOOK_URL", "postgresql://example/gradebook")
    trainee = spawn_as(False, volumes)
    assert "course" not in [v["name"] for v in _items(trainee.volumes)]
    assert "course" not in [m["name"] for m in _items(trainee.volume_mounts)]
    assert "SHEQULAB_COURSE_DIR" not in trainee.environment
    assert "SHEQULAB_GRADEBOOK_URL" not in trainee.environment
    assert trainee.supplemental_gids == []
    trainer = spawn_as(True, volumes)
    assert {m["name"]: m["mountPath"] for m in _items(trainer.volume_mounts)}["course"] == (
        "/srv/course"
    )
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in _items(trainer.volumes)}
    assert claims["course"] == "shequlab-course"
    assert trainer.supplemental_gids == [2000]
    assert trainer.environment["SHEQULAB_COURSE_DIR"] == "/srv/course"


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
