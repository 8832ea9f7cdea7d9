"""Voila's configuration for projector mode (``present.py`` points Voila at this folder).

Why a file: a Callable setting cannot be given on the command line.
"""

from workers_abroad.publishing.present import PROJECTOR_POLICY, issue_xsrf_cookie

c = get_config()  # noqa: F821 (traitlets provides get_config when it loads this file)
# Voila shuts a page's kernel down when the page is left, with a POST carrying the _xsrf
# cookie; Voila's page never issues that cookie, so every departure logged a 403.
c.VoilaConfiguration.prelaunch_hook = issue_xsrf_cookie
# Every page Voila serves carries the projector's Content-Security-Policy.
c.Voila.tornado_settings = {"headers": {"Content-Security-Policy": PROJECTOR_POLICY}}
