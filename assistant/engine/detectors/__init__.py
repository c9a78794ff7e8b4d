"""Detectors that are code, not word lists: personal data, send time, emoji, message format, and
the learned models. Each module maps its keys to classes in `DETECTORS`; `base` loads them by the
name a rule gives (`personal_data.mobile`) on first use."""
