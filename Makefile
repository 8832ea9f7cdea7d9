# Thin wrapper for those who prefer make; ./tasks is the entry point and works without make.
COMMANDS := lab present student grade site hub-rehearsal test test-fast test-browser fuzz lint execute nav bench
.PHONY: help $(COMMANDS)
help:
	./tasks help
$(COMMANDS):
	./tasks $@
