# Thin wrapper for those who prefer make; ./tasks is the entry point and works without make.
.PHONY: lab test test-browser execute nav bench lint site
lab test test-browser execute nav bench lint site:
	./tasks $@
