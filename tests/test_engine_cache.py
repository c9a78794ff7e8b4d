"""The compiled-rules cache key: every edit recompiles, and a start does not read the models."""

from __future__ import annotations

import os
import shutil

from assistant.engine import compiled


def _copy(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(compiled.RULES_DIR, rules)
    models = tmp_path / "models"
    models.mkdir()
    (models / "judgement.json").write_text('{"labels": {}}', encoding="utf-8")
    return rules, models


def test_a_rules_edit_of_the_same_size_changes_the_key(tmp_path):
    rules, models = _copy(tmp_path)
    before = compiled.fingerprint(rules, models)
    path = rules / "red_lines.yaml"
    text = path.read_text(encoding="utf-8")
    stat = os.stat(path)
    # Same length, same modification time: only the content tells.
    path.write_text(text.replace("红包", "绿包", 1), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert os.path.getsize(path) == stat.st_size
    assert compiled.fingerprint(rules, models) != before


def test_a_retrained_or_new_model_changes_the_key(tmp_path):
    rules, models = _copy(tmp_path)
    before = compiled.fingerprint(rules, models)
    target = models / "judgement.json"
    stat = os.stat(target)
    target.write_text('{"labels": {"a": 1}}', encoding="utf-8")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    retrained = compiled.fingerprint(rules, models)
    assert retrained != before
    (models / "known_rumors.json").write_text("{}", encoding="utf-8")
    assert compiled.fingerprint(rules, models) not in (before, retrained)


def test_the_key_does_not_read_model_files(tmp_path, monkeypatch):
    """Model files are megabytes: they count by size and time; reading them was most of a start."""
    rules, models = _copy(tmp_path)
    opened: list[str] = []
    real_open = open

    def spy(path, *args, **kwargs):
        opened.append(os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", spy)
    compiled.fingerprint(rules, models)
    assert opened and not [p for p in opened if p.startswith(os.fspath(models))]
    assert any(p.endswith("red_lines.yaml") for p in opened)


def test_a_lazy_pattern_pickles_as_its_source_and_compiles_on_first_use():
    import pickle

    from assistant.engine.normalize import LazyPattern

    used = LazyPattern(r"红\s*包")
    assert used.search("发个红 包") is not None  # compiled now
    back = pickle.loads(pickle.dumps(used))
    assert object.__getattribute__(back, "_compiled") is None  # not compiled by unpickling
    assert back.search("发个红 包").group() == "红 包" and back.pattern == r"红\s*包"


def test_the_cached_rules_keep_gated_patterns_uncompiled_until_a_trigger(tmp_path):
    import pickle

    from assistant.engine.normalize import LazyPattern

    rules = compiled.load_compiled()
    gated = [r for r in rules.rules if r.regex is not None and r.gated]
    assert gated and all(isinstance(r.regex, LazyPattern) for r in gated)
    back = pickle.loads(pickle.dumps(rules))
    assert all(object.__getattribute__(r.regex, "_compiled") is None for r in back.rules if r.gated)
