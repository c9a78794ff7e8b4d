"""The rule engine: rules as data, compiled once, run over normalized views of the text."""
