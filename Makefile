# Thin wrapper for those who prefer make; ./tasks is the entry point and works without make.
COMMANDS := lab test test-browser fuzz lint execute nav bench site present grade student hub-rehearsal
.PHONY: help $(COMMANDS)
help:
	./tasks help
$(COMMANDS):
	./tasks $@
