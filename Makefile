# Thin wrapper for those who prefer make; ./tasks is the entry point and works without make.
.PHONY: lab test execute nav bench lint site
lab test execute nav bench lint site:
	./tasks $@

# The real-browser test alone: JupyterLab plus Debian's headless chromium (./tasks test runs it
# too). Needs the .venv that ./tasks creates, and chromium (apt-get install chromium).
.PHONY: test-browser
test-browser:
	.venv/bin/python -m pytest tests/test_browser.py -v
