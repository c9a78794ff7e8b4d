"""Training the learned parts of the checker and the writer from the corpora in `corpus/`.

Development only: it needs scikit-learn (requirements-dev.txt). What it writes to `models/` is
plain JSON that the runtime reads without it. `make train` runs `python -m training`; the same
corpus always gives the same files (fixed seeds, sorted inputs, rounded weights).
"""
