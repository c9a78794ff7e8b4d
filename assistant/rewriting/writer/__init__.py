"""The offline writer: a draft understood clause by clause, written again as an office would send
it. `segment` splits the draft, `labeller` says what each clause is (a model trained on drafts
annotated clause by clause), `sender` finds who writes, `wording` turns chat into plain official
wording, `title` names the matter, `compose` lays out the message by the conventions of its kind.
"""
