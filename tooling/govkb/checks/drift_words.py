"""The words the drift scanner reads (:mod:`govkb.checks.drift_values`): numbers written in
digits or words, time units, strike counts, and the cue words that say which policy value a
literal speaks of.  All patterns run on ASCII-lower-cased text, case-sensitively (faster).
"""

from __future__ import annotations

import re

WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "twenty": 20,
          "twenty-one": 21, "twenty-four": 24, "twenty-eight": 28, "thirty": 30, "forty-five": 45,
          "forty-eight": 48, "sixty": 60, "seventy-two": 72, "ninety": 90, "hundred": 100}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
             "eighth": 8, "ninth": 9, "tenth": 10}
NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|" + "|".join(sorted(WORDS, key=len, reverse=True)) + ")"
HOURS = {"minute": 1 / 60, "min": 1 / 60, "hour": 1.0, "hr": 1.0, "day": 24.0, "week": 168.0,
          "month": 730.5, "year": 8766.0}
# Units are found first (a cheap scan) and the number is then read just before the unit:
# one regex with the number alternation up front would be tried at every position.
UNIT_NAMES = {f"{u}{s}": u for u in ("minute", "min", "hour", "hr", "day", "week", "month", "year") for s in ("", "s")}
# All scanning runs over ASCII-lower-cased text with case-sensitive patterns: IGNORECASE makes
# these scans several times slower, and lower-casing only ASCII keeps every offset in place.
UNIT_WORD = re.compile(r"(?:minute|min|hour|hr|day|week|month|year)s?\b")
NUMBER_BEFORE = re.compile(rf"(?<![\w.,])(?P<num>{NUM})(?:[ -](?:calendar|business|working))?[ -]$")
# "a week", "an hour", "a full month": one of a singular unit; "once a day" and "per day" are rates.
# Only after a word that makes it a length of time ("for a week", "within an hour", "lasts a
# month"): "nobody goes a week without" is no value, and it would be compared with one.
ONE_BEFORE = re.compile(r"\b(?:for|within|after|in|lasts?|takes?|than|to|over|under|about|up to)[ \t\n]+"
                         r"(?P<num>an?)(?: full)?[ -]$")
# Strike counts are found from the word "strike" (literal-led, fast) and read around it:
# "strike 3", "3rd strike", "third strike", "3 strikes".
STRIKE_WORD = re.compile(r"strike(s?)(?![a-z_])")
STRIKE_AFTER = re.compile(r"[ \t]+(\d+)\b")
STRIKE_BEFORE = re.compile(
    r"(?<![\w.])(?:(?P<b>\d+)(?:st|nd|rd|th)|(?P<c>" + "|".join(ORDINALS) + rf")|(?P<d>{NUM}))\s+$")
# Inline code (single backticks, the {pv} role's key included): a literal-led pattern, fast.
CODE = re.compile(r"`[^`\n]+`")
# Sentences end at punctuation, a blank line, a table cell, or a line that starts a list item,
# an option, a heading or a fence (Markdown wraps sentences over lines).
SENTENCE_END: tuple[str, ...] = (
    ". ", ".\n", "; ", ";\n", ": ", ":\n", "! ", "!\n", "? ", "?\n", "\n\n", "|",
    "\n- ", "\n* ", "\n+ ", "\n#", "\n:", "\n```", "\n  - ", "\n  * ")
CLAUSE_END: tuple[str, ...] = SENTENCE_END + (
    ",", "(", ")", " and ", " or ", " then ", " but ", " while ", ".", ";", ":")
STRIKE_WINDOW = re.compile(r"strike window|expir|lapse|rolling|strikes? (?:last|stay|remain|count)")
APPEAL = re.compile(r"appeal|complain")
RESPONSE = re.compile(r"respon|answer|decide|decision|reply|resolve")
LADDER = re.compile(r"suspen|hold|terminat|restrict|ban\b|off for")
# A value quoted from the law ("the six months DSA Art. 20 requires") is not a policy value.
LEGAL = re.compile(r"\bdsa\b|\bart\.|article|regulation|\blaw\b|\bstatute")
PLAIN_UNITS = re.compile(r"^(?:minute|min|hour|hr|day|week|month|year)s?$", re.IGNORECASE)
