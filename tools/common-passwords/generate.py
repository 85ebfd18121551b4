#!/usr/bin/env python3
"""Writes Hearth's list of common passwords from patterns defined here.

The list is ours: it is not copied from any published password list. It is generated from
patterns people are known to reach for when a system asks for a password — keyboard walks,
sequences and digit runs, repeated short units, and familiar words (including words a
palliative care team would think of first, like "hearth", "nhs" or "hospice") followed by
years, digits and symbols — so that `check_new_password` in hearth-domain can refuse them.

Entries are lower-case (Hearth compares case-insensitively), at least MIN_CHARS long (shorter
passwords are refused by length anyway) and at most MAX_CHARS, sorted and without duplicates,
one a line.

Usage, from the repository root:

    python3 tools/common-passwords/generate.py > crates/hearth-domain/data/common-passwords.txt

Run it again after changing a pattern and commit both files; the domain's tests check that the
committed list is sorted, lower-case and long enough, and names a few entries it must hold.
"""

import sys

# Keep in step with PASSWORD_MIN_CHARS in crates/hearth-domain/src/user.rs.
MIN_CHARS = 10
MAX_CHARS = 128

# Words people build passwords from. Ordinary English words, names of the season and month,
# and the words of the place the password is for.
WORDS = [
    # the usual first choices
    "password", "passw0rd", "pa55word", "passwort", "letmein", "welcome", "changeme",
    "secret", "iloveyou", "trustno1", "admin", "administrator", "login", "default",
    "master", "hello", "qwerty", "abc", "monkey", "dragon", "sunshine", "princess",
    "football", "baseball", "superman", "starwars", "shadow", "freedom", "whatever",
    "computer", "internet", "summer", "flower", "lovely", "family", "friends", "london",
    "england", "liverpool", "chelsea", "arsenal", "united", "norway", "oslo", "bergen",
    "jesus", "blessed", "angel", "mother", "father", "daughter", "charlie", "thomas",
    "michael", "jessica", "ashley", "daniel", "matthew", "oliver", "george", "amelia",
    "access", "temp", "test", "guest", "user", "newpassword", "mypassword", "pass",
    "letmein", "open", "opensesame", "ilovemykids",
    # the place and the work
    "hearth", "nhs", "hospice", "palliative", "nurse", "nursing", "doctor", "surgery",
    "practice", "hospital", "medical", "health", "healthcare", "clinic", "clinical",
    "patient", "care", "carer", "caring", "community", "district", "ward", "gp",
    "oncology", "cancer", "comfort", "kindness", "compassion",
    # seasons and months
    "spring", "autumn", "winter", "fall",
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    # days
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
]

# What people put after a word to satisfy a rule or a length: digits, years, symbols.
YEARS = [str(year) for year in range(1960, 2031)]
SHORT_YEARS = [f"{year:02d}" for year in range(100)]
DIGIT_SUFFIXES = ["1", "12", "123", "1234", "12345", "123456", "1234567", "12345678",
                  "123456789", "1234567890", "0", "00", "01", "007", "69", "99", "111",
                  "321", "4321", "54321", "987654321", "2", "22", "23", "7", "77", "777"]
SYMBOL_SUFFIXES = ["", "!", "!!", "!!!", "?", ".", "#", "@", "*", "$", "1!", "123!", "!1",
                   "!123", "@123", "#1", "*1"]
SEPARATORS = ["", " ", ".", "_", "-", "@"]

# Letter-for-digit and letter-for-symbol swaps ("leet"), applied to the whole word.
SWAPS = [
    {"a": "@", "o": "0", "e": "3", "i": "1", "s": "$"},
    {"o": "0"},
    {"a": "@"},
]

KEYBOARD_ROWS = ["`1234567890-=", "qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./"]


def word_forms(word):
    """The word itself and with each letter swap applied."""
    forms = {word}
    for swap in SWAPS:
        forms.add("".join(swap.get(c, c) for c in word))
    return forms


def with_suffixes(stem, separators, symbols, short_years=False):
    """`stem` followed by a year (after each separator), by digits, or by symbols alone; each
    year or digit suffix also followed by each of `symbols`; with `short_years`, also by each
    two-digit year."""
    out = {stem + symbol for symbol in SYMBOL_SUFFIXES}
    for year in YEARS:
        for separator in separators:
            out.add(stem + separator + year)
        for symbol in symbols:
            out.add(stem + year + symbol)
    for digits in DIGIT_SUFFIXES:
        for symbol in symbols:
            out.add(stem + digits + symbol)
    if short_years:
        for digits in SHORT_YEARS:
            out.add(stem + digits)
    return out


def word_passwords():
    out = set()
    for word in WORDS:
        out |= with_suffixes(word, SEPARATORS, ["", "!"], short_years=True)
        for form in word_forms(word) - {word}:
            out |= with_suffixes(form, [""], ["", "!"])
        for year in YEARS:
            out.add(year + word)
        for digits in DIGIT_SUFFIXES:
            out.add(digits + word)
        # A familiar word with a small word before or after it ("ilovehearth", "summerlove").
        for stem in ["my" + word, "ilove" + word, "love" + word, word + "love"]:
            out |= {stem + symbol for symbol in SYMBOL_SUFFIXES[:3]}
            out |= {stem + year for year in YEARS}
            out |= {stem + digits for digits in DIGIT_SUFFIXES}
    return out


def runs(sequence, shortest=MIN_CHARS):
    """Every contiguous run of `sequence` at least `shortest` long, forwards and backwards."""
    out = set()
    for text in (sequence, sequence[::-1]):
        for start in range(len(text)):
            for end in range(start + shortest, len(text) + 1):
                out.add(text[start:end])
    return out


def keyboard_walks():
    out = set()
    rows = KEYBOARD_ROWS
    # Along the rows, and along several rows one after the other.
    for row in rows:
        out |= runs(row * 2)
    out |= runs("".join(rows))
    out |= runs("qwertyuiopasdfghjklzxcvbnm")
    # Down the columns: "1qaz2wsx3edc…", "qazwsxedc…", "zaq12wsx…".
    columns_with_digits = []
    columns_letters = []
    for column in range(10):
        keys = [row[column + 1] if n == 0 else row[column] for n, row in enumerate(rows)
                if len(row) > column + (1 if n == 0 else 0)]
        columns_with_digits.append("".join(keys))
        columns_letters.append("".join(keys[1:]))
    for columns in (columns_with_digits, columns_letters):
        down = "".join(columns)
        out |= runs(down)
        up = "".join(column[::-1] for column in columns)
        out |= runs(up)
        zigzag = "".join(column if n % 2 == 0 else column[::-1] for n, column in enumerate(columns))
        out |= runs(zigzag)
    # The walks people repeat to reach a length.
    for walk in ["qwerty", "asdf", "zxcv", "qaz", "wsx", "1qaz", "2wsx", "zaq1", "asdfgh", "qwer",
                 "1q2w3e", "1q2w3e4r", "q1w2e3r4", "zaq12wsx", "!qaz2wsx", "1qaz2wsx"]:
        out |= repeated_to_length(walk)
    return out


def repeated_to_length(unit):
    """`unit` repeated until it reaches each length from MIN_CHARS to 24, cut to that length."""
    out = set()
    for length in range(MIN_CHARS, 25):
        out.add((unit * (length // len(unit) + 1))[:length])
    out.add(unit * 2)
    out.add(unit * 3)
    return out


def sequences():
    out = set()
    digits = "0123456789"
    out |= runs(digits * 3)
    out |= runs("abcdefghijklmnopqrstuvwxyz")
    out |= runs("abcdefghijklmnopqrstuvwxyz0123456789")
    # Short units repeated: "1212121212", "abcabcabca", "1122334455", "1231231231".
    units = ["12", "21", "123", "321", "1234", "4321", "12345", "54321", "abc", "abcd", "ab",
             "69", "007", "111222", "112233", "123123", "1122334455", "a1", "a1b2", "a1b2c3",
             "aa11", "xo", "ha", "lol", "love"]
    for digit in digits:
        for other in digits:
            if digit != other:
                units.append(digit + other)
        units.append(digit * 2 + str((int(digit) + 1) % 10) * 2)
    for unit in units:
        out |= repeated_to_length(unit)
    # Digit counting by doubles: "1122334455…".
    out |= runs("".join(d * 2 for d in digits + "0"))
    # Dates people use: ddmmyyyy and yyyymmdd of every day from 1950 to 2035 would be too
    # many; "0101" + year and year + "0101" catch the lazy ones.
    for year in YEARS:
        for day in ["0101", "1111", "1234", "0000", "1212", "2512", "3112"]:
            out.add(day + year)
            out.add(year + day)
        out.add(year + year)
        out.add(year + year[::-1])
    return out


def main():
    entries = set()
    entries |= word_passwords()
    entries |= keyboard_walks()
    entries |= sequences()
    kept = sorted({
        e for e in (entry.lower() for entry in entries)
        if MIN_CHARS <= len(e) <= MAX_CHARS and "\n" not in e and e == e.strip()
    })
    sys.stdout.write("".join(entry + "\n" for entry in kept))


if __name__ == "__main__":
    main()
