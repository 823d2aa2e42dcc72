# -*- coding: utf-8 -*-
# Copyright: contributors to the vpnops.tunnels collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Report rows as CSV: a header row of column titles, then one line per row.

Python's csv module (the excel dialect: comma, double quotes doubled, CRLF line ends) quotes
cells holding commas, quotes or line breaks, so status messages come back unchanged.

Formula injection: a spreadsheet runs a text cell that starts with = + - or @ (and some
also one that starts with a tab or a carriage return) as a formula, so a tunnel named
``=HYPERLINK(...)`` on a device could act in the reader's spreadsheet. Such text cells get a
leading apostrophe (the OWASP advice): spreadsheets show the text, and a program reading the
CSV strips one leading ``'`` from a text cell that starts with ``'`` and one of those
characters. Numbers are written as numbers and never changed.
"""

from __future__ import annotations

import csv
import io

from ansible_collections.vpnops.tunnels.plugins.plugin_utils import inputs, report

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard_formula(text):
    """Text a spreadsheet would evaluate, made inert with a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unguard_formula(text):
    """The text guard_formula was given (for programs that read the CSV)."""
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def render(rows, columns=None, formula_guard=True, bom=False):
    rows = report.check_rows(rows)
    keys = _columns(columns)
    buffer = io.StringIO()
    if bom:  # Excel reads UTF-8 without it as the local code page
        buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([report.TITLES[key] for key in keys])
    cell_text, guard = report.cell_text, guard_formula if formula_guard else None
    for row in rows:
        cells = []
        for key in keys:
            value = row.get(key)
            text = cell_text(row, key)
            if guard is not None and text and not isinstance(value, (int, float)):
                text = guard(text)
            cells.append(text)
        writer.writerow(cells)
    return buffer.getvalue()


def _columns(columns):
    if not columns:
        return report.COLUMN_KEYS
    unknown = [key for key in columns if key not in report.TITLES]
    if unknown:
        raise inputs.InputError("unknown column%s %s (known: %s)" % (
            "" if len(unknown) == 1 else "s", ", ".join(map(str, unknown)),
            ", ".join(report.COLUMN_KEYS)))
    return tuple(columns)
