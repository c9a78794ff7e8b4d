"""The rewrite pipeline: mask, prompt, model or offline rewriter, render, unmask, re-check, repair."""
