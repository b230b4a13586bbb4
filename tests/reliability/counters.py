"""How much the randomised tests ran, printed at the end of the session."""

fuzz_examples = 0
state_machine_steps = 0
