# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: append every host result as one JSON line to $VPNOPS_RESULT_LOG."""

from __future__ import annotations

DOCUMENTATION = r"""
name: result_log
type: notification
short_description: Write host results as JSON lines for the integration tests
description:
  - Appends C({"host", "task", "status", "result"}) per host result to the file named by the
    environment variable E(VPNOPS_RESULT_LOG).
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "result_log"
    CALLBACK_NEEDS_ENABLED = True

    def _log(self, result, status):
        path = os.environ.get("VPNOPS_RESULT_LOG")
        if not path:
            return
        record = {"host": result._host.get_name(), "task": result._task.get_name(),
                  "status": status, "result": result._result}
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(record, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._log(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._log(result, "failed")

    def v2_runner_on_unreachable(self, result):
        self._log(result, "unreachable")
