"""Refuse nicknames that are profanity, sexual terms, slurs or insults (Vietnamese and English).

A nickname is shown on the classroom projector, so ``is_abusive`` errs on the side of refusing,
but it must not refuse ordinary Vietnamese names ("Nguyễn Văn A", "Cúc", "Địch") or English words
that merely contain a bad word ("Scunthorpe", "Cassandra", "Matsushita", "class", "peacock").

How a nickname is read (``_tokens``):

1. NFC; note where a lower-case letter meets a capital ("CúnTý" is the pieces "Cún" + "Tý",
   see step 5); NFKD-decompose and casefold; map a few look-alike letters (Cyrillic/Greek "а",
   "о", "ѕ"..., "ð" → "đ", "ł" → "l"). Invisible format characters vanish.
2. Split into tokens at separators: anything that is not a letter, a digit or one of the leet
   symbols ``@ $ ! | *``. So "f.u.c.k", "f u c k", "f-u-c-k" and "f_u_c_k" are four tokens,
   "Cú Mèo" is two. ``!`` and ``*`` at either end of a token are punctuation and dropped.
3. Leet: 0→o, 3→e, 4→a, 5→s, 7→t, 8→b, @→a, $→s, !→i, and 1 or | stand for "i" *or* "l";
   ``*`` inside a token stands for any letter ("f*ck", "f**k"). Numbers of two or more digits
   ("2010") are left alone.
4. Each token has two forms: the *spelled* form keeps the marks Vietnamese spelling uses (the
   five tones, circumflex, breve, horn, and đ) and drops any other accent ("fück" → "fuck");
   the *folded* form strips every mark and turns đ into d ("Địt" → "dit").
5. Any run of adjacent tokens is also read as one word, so letters split by separators are
   joined again ("đ.ị.t" → "địt", "d m" → "dm", "fu ck" → "fuck", "kill your self").
   In folded form, a run of several tokens or case pieces counts only if it has no Vietnamese
   mark at all or one of its pieces is a single (maybe repeated) letter: separate accented
   syllables are Vietnamese words, not a split English one ("Nụ Đệ" and "NụĐệ" are not "nude",
   "Cún Tý" is not "cunty"; typed plain, "Nu De" is refused).

How a word list entry matches (``_pattern``): letters must appear in order; a letter may be
repeated ("fuuuck", "lồồồn"), but a doubled letter in the entry must stay doubled ("nigger" does
not match "Niger"); case, leet and separators never matter. There are four kinds of entry:

* ``TOKEN_WORDS`` — short or ambiguous words and abbreviations: a *whole* token or run in folded
  form, so "vl" refuses "V.L" but not "Vlog", "ass" refuses "@$$" but not "class", "Cassandra"
  or "assassin", "sex" not "Essex", "cock" not "peacock" or "Hancock", "rape" not "grape",
  "rapist" not "therapist", "dick" not "Dickens".
* ``SPELLED_WORDS`` / ``SPELLED_ONLY_WORDS`` — Vietnamese words whose unaccented spelling is
  also an innocent word: a whole token or run in the spelled form. The exact bad spelling
  ("lồn", "đéo", "ngu") always matches; the plain-ASCII spelling ("lon", "deo") matches only
  for ``SPELLED_WORDS`` and only where the nickname carries no Vietnamese mark ("Lớn", "Lợn",
  "Đeo", "Dẻo", "Ngũ", "Ngủ", "Nguyễn" pass). ``SPELLED_ONLY_WORDS`` have too common an
  innocent plain spelling ("đĩ"/"di", "đụ"/"du", "cứt"/"cut") and match only as spelled.
* ``SUFFIX_WORDS`` — at the end of a token ("bullshit", "DumbCunt") or a whole token or run.
  No innocent word ends with them, but many contain them ("Matsushita", "Yamashita",
  "shiitake", "Scunthorpe", the common pet name "Cún" + syllable: "CúnThảo", "Cun Trang").
* ``SUBSTRING_WORDS`` — long, unambiguous words: anywhere inside a token's folded letters
  ("motherfucker", "sonofabitch"), or a whole run ("bi tch"). ``SAFE_WORDS`` are blanked out
  before the search ("snigger").

Deliberately allowed: "Dickens", "Dickson", "Scunthorpe", "Essex", "Sussex", "class", "Classic",
"Cassandra", "assassin", "cockatoo", "Hancock", "peacock", "grape", "therapist", "shiitake",
"Matsushita", "Niger", "Vlog", "lol", "Cú", "Chim Cu", "Chó Con", "Bưởi", "Lợn", "Các", "Đi",
"Du", "Tít", "Cúm", "Thốt Nốt", and Vietnamese names generally (during development ~430,000
two- and three-syllable name combinations, accented and plain, were checked: the only refusals
were the plain spellings below).
Deliberately refused: plain-ASCII "Lon", "Buoi", "Cac", "Deo", "Ngu", "Cum", "Thot" (written
with their accents, "Lợn", "Bưởi", "Các", "Đeo", "Ngủ", "Cúm", "Thốt" pass) and plain syllable
pairs that spell a bad word ("Nu De", "Tit Ty", "Du Ma"); "Dick" alone; "Cave" (Vietnamese slang
for a prostitute); single letters that spell an abbreviation ("D M", "C C", "V L").
Known gap: a separator *inside* a substring word that is itself inside a longer token
("motherfu cker") is not joined, since joining across tokens is what would refuse
"James Luther" ("slut") or "Hope Nisbet" ("penis").
"""
from __future__ import annotations

import re
import unicodedata
from itertools import groupby
from typing import NamedTuple

__all__ = ["is_abusive", "find_abuse", "TOKEN_WORDS", "SPELLED_WORDS", "SPELLED_ONLY_WORDS",
           "SUFFIX_WORDS", "SUBSTRING_WORDS", "SAFE_WORDS"]

# Whole token (or run of adjacent tokens) in folded form: no diacritics, đ = d.
# Short words and abbreviations live here so they never fire inside longer words or names.
TOKEN_WORDS = (
    # Vietnamese teen abbreviations and unaccented profanity with no innocent reading.
    "dm", "dmm", "dcm", "dcmm", "dkm", "dmcs", "dmml", "cmm", "cmn", "clm", "cl", "cc", "clgt",
    "vl", "vcl", "vkl", "vcc", "dit", "djt", "djtme", "dume", "duma", "loz", "cak", "kak",
    "cave",
    # English profanity.
    "fuk", "fuq", "fuc", "fucc", "fck", "fk", "fcuk", "phuck", "phuk", "wtf", "stfu", "gtfo",
    "shitty", "shite", "shithead", "shitface", "shitter", "cunty", "cunting", "crap", "crappy",
    "piss", "pissoff", "bollocks", "twat",
    "prick", "wank", "jerkoff", "btch", "biatch", "biotch",
    # Sexual terms.
    "dick", "dicks", "dik", "cock", "cocks", "pussy", "pussies", "ass", "asses", "arse", "anal",
    "anus", "sex", "sexy", "sexi", "sexual", "nude", "nudes", "boob", "boobs", "tits", "titty",
    "titties", "boner", "horny", "milf", "bdsm", "xxx", "porno", "rape", "raped", "rapes",
    "raping", "rapist", "skank", "pedo", "paedo", "incest",
    # Slurs and hate.
    "fag", "fags", "fagot", "niga", "negro", "dyke", "tranny", "chink", "gook", "spic", "kike",
    "paki", "nazi", "nazis", "neonazi", "heil", "siegheil", "kkk", "whitepower",
    # Insults and self-harm taunts.
    "idiot", "idiots", "moron", "stupid", "dumb", "loser", "imbecile", "kys", "kms",
    "neckyourself",
)

# Whole token or run in spelled form (Vietnamese marks kept). The bad spelling always matches;
# the plain-ASCII spelling matches too, but only where the nickname has no Vietnamese marks, so
# the innocent accented words "lớn", "lợn", "đeo", "dẻo", "buổi", "bưởi", "các", "ngủ", "ngũ"
# pass. Phrases are written with spaces; the spaces are optional in the nickname.
SPELLED_WORDS = (
    "đéo", "lồn", "buồi", "cặc", "ngu", "óc chó", "óc lợn", "chó chết", "chó đẻ", "đồ chó",
    "thằng chó", "mẹ mày", "má mày", "bố mày", "cha mày", "thằng ngu", "đồ ngu", "con ngu",
    "súc vật", "khốn nạn", "mất dạy", "chết đi", "đụ má", "đụ mẹ", "đù má", "địt mẹ", "đần độn",
    "hiếp dâm", "vãi lồn",
    # English, but "cúm", "cụm", "thốt" are Vietnamese words: refused only when typed plain.
    "cum", "thot",
)

# Whole token or run, exact Vietnamese spelling only: their plain spelling is too common an
# innocent word or name ("di", "du", "pho", "diem", "cut", "dan", "nung", "chich").
SPELLED_ONLY_WORDS = (
    "đĩ", "đỹ", "đụ", "phò", "điếm", "cứt", "đần", "nứng", "chịch", "ỉa", "thủ dâm", "bú cu",
    "não chó", "dâm dục", "dâm đãng",
)

# Anywhere inside one token's folded letters, or a whole run of tokens ("bi tch"). Only long
# words that no innocent word or name contains belong here.
SUBSTRING_WORDS = (
    "fuck", "fvck", "bitch", "whore", "slut", "nigger", "nigga", "faggot", "retard", "asshole",
    "arsehole", "dumbass", "jackass", "asswipe", "asshat", "bastard", "dickhead", "cocksucker",
    "wanker", "porn", "hentai", "dildo", "blowjob", "handjob", "penis", "vagina", "orgasm",
    "cumshot", "jizz", "pedophile", "paedophile", "mongoloid", "wetback", "hitler",
    "killyourself", "killurself", "ditme", "ditconme", "dumemay",
)

# At the end of a token's folded letters ("bullshit", "dumbcunt"), or a whole token or run.
# Not substrings: "Matsushita", "Yamashita", "shiitake", "Scunthorpe" and the very common pet
# name "Cún" followed by a syllable ("CúnThảo", "Cun Trang") contain them, but no innocent word
# ends with them.
SUFFIX_WORDS = ("shit", "shits", "cunt", "cunts")

# Innocent words that contain a substring word; blanked out before the substring search.
SAFE_WORDS = ("snigger", "penistone")

# Combining marks that Vietnamese spelling uses: grave, acute, circumflex, tilde, breve, hook
# above, horn, dot below. Other marks are dropped so "fück" reads "fuck".
_VI_MARKS = frozenset("\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323")
_LOOKALIKES = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "к": "k", "м": "m",
    "т": "t", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "ı": "i", "α": "a", "β": "b",
    "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    "ł": "l", "ø": "o", "ð": "đ", "ɗ": "đ", "ß": "ss",
})
_LEET = str.maketrans({"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a",
                       "$": "s", "!": "i", "|": "1"})
_SYMBOLS = frozenset("@$!|*")
_EDGE_PUNCT = "!*"
_PIECE = "\x00"  # marks a case change inside a token
_MAX_RUN_TOKENS = 12
_MAX_RUN_CHARS = 48


def _mark_camel_case(text: str) -> str:
    """Put ``_PIECE`` where a lower-case letter meets a capital ("CúnTý" → "Cún·Tý")."""
    out: list[str] = []
    previous = ""
    for char in unicodedata.normalize("NFC", text.replace(_PIECE, " ")):
        if char.isupper() and previous.islower():
            out.append(_PIECE)
        out.append(char)
        previous = char
    return "".join(out)


def _split(text: str) -> list[str]:
    """Steps 1–2: decompose, casefold, map look-alikes, keep Vietnamese marks, split tokens.

    A token may hold ``_PIECE`` marks where its case changed from lower to upper.
    """
    text = unicodedata.normalize("NFKD", _mark_camel_case(text).casefold())
    text = unicodedata.normalize("NFKD", text.translate(_LOOKALIKES))
    tokens: list[str] = []
    current: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if category[0] == "M":
            if char in _VI_MARKS and current:
                current.append(char)
        elif category == "Cf":
            continue
        elif char.isalnum() or char in _SYMBOLS or char == _PIECE:
            current.append(char)
        elif current:
            tokens.append("".join(current))
            current = []
    if current:
        tokens.append("".join(current))
    stripped = (token.strip(_EDGE_PUNCT + _PIECE) for token in tokens)
    return [token for token in stripped if token]


def _leet(token: str) -> str:
    """Step 3: map leet symbols, except in numbers; cap runs of ``1`` and ``*`` at three."""
    if len(token) > 1 and all(c in "0123456789" for c in token):
        return token
    return re.sub(r"([1*])\1{3,}", r"\1\1\1", token.translate(_LEET))


def _base_letters(text: str) -> str:
    return "".join(c for c in text if not unicodedata.combining(c))


class _Token(NamedTuple):
    spelled: str  # Vietnamese marks kept, NFC
    folded: str  # no marks, đ → d
    pieces: int  # parts between case changes ("CúnTý" has two)
    one_letter_piece: bool  # a piece is one letter, maybe repeated: "đ", "fU" (= "f" + "U")


def _read_token(token: str) -> _Token:
    """Step 4: the spelled and folded forms of a token, and how case changes cut it."""
    pieces = [p for p in token.split(_PIECE) if p]
    spelled = unicodedata.normalize("NFC", _leet(token.replace(_PIECE, "")))
    folded = "".join(c for c in unicodedata.normalize("NFKD", spelled)
                     if not unicodedata.combining(c)).replace("đ", "d")
    one_letter = any(len(list(groupby(_base_letters(p)))) == 1 for p in pieces)
    return _Token(spelled, folded, len(pieces), one_letter)


def _tokens(text: str) -> list[_Token]:
    """The nickname as a list of tokens."""
    return [_read_token(token) for token in _split(text)]


def _char_class(char: str, first: bool) -> str:
    chars = {char}
    if char in "il":
        chars.add("1")
    if not first:
        chars.add("*")
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


def _pattern(word: str) -> str:
    """A regex for ``word``: letters in order, each repeatable, leet ``1``/``*`` accepted."""
    parts = []
    for index, (char, run) in enumerate((c, len(list(g))) for c, g in groupby(word)):
        parts.append(_char_class(char, index == 0) + ("+" if run == 1 else f"{{{run},}}"))
    return "".join(parts)


def _word_forms(word: str) -> tuple[str, str]:
    (token,) = _tokens(word.replace(" ", ""))
    return token.spelled, token.folded


def _alternation(words) -> str:
    return "|".join(_pattern(w) for w in sorted(set(words), key=len, reverse=True))


_WHOLE_RE = re.compile(_alternation(
    _word_forms(w)[1] for w in TOKEN_WORDS + SUFFIX_WORDS + SUBSTRING_WORDS))
_SPELLED_RE = re.compile(_alternation(
    [form for w in SPELLED_WORDS for form in _word_forms(w)]
    + [_word_forms(w)[0] for w in SPELLED_ONLY_WORDS]))
_SUFFIX_RE = re.compile(f"(?:{_alternation(_word_forms(w)[1] for w in SUFFIX_WORDS)})\\Z")
_SUBSTRING_RE = re.compile(_alternation(_word_forms(w)[1] for w in SUBSTRING_WORDS))
_SAFE = tuple(_word_forms(w)[1] for w in SAFE_WORDS)


def _screen(folded: str) -> str:
    """Blank out the ``SAFE_WORDS`` so the substring search does not see inside them."""
    for safe in _SAFE:
        folded = folded.replace(safe, "#" * len(safe))
    return folded


def find_abuse(nickname: str) -> str | None:
    """The offending token or run of tokens (spelled form, as read), or ``None`` if clean.

    Every token and every run of adjacent tokens is matched whole against all the word lists
    (``SPELLED_WORDS``/``SPELLED_ONLY_WORDS`` in spelled form, the rest in folded form); inside a
    single token, ``SUFFIX_WORDS`` are also looked for at its end and ``SUBSTRING_WORDS``
    anywhere.
    """
    tokens = _tokens(nickname)
    for start in range(len(tokens)):
        spelled_run = folded_run = ""
        pieces = 0
        one_letter_piece = False
        for end in range(start, min(len(tokens), start + _MAX_RUN_TOKENS)):
            token = tokens[end]
            spelled_run += token.spelled
            folded_run += token.folded
            pieces += token.pieces
            one_letter_piece = one_letter_piece or token.one_letter_piece
            if end > start and len(folded_run) > _MAX_RUN_CHARS:
                break
            if _SPELLED_RE.fullmatch(spelled_run):
                return spelled_run
            if _WHOLE_RE.fullmatch(folded_run) and (
                    pieces == 1 or one_letter_piece or spelled_run == folded_run):
                return spelled_run
            if end == start:
                screened = _screen(token.folded)
                if _SUFFIX_RE.search(screened) or _SUBSTRING_RE.search(screened):
                    return spelled_run
    return None


def is_abusive(nickname: str) -> bool:
    """True when the nickname contains profanity, a sexual term, a slur or an insult.

    The rule, in short: after reading the nickname as tokens (case, diacritics, leet, repeated
    letters and separators do not matter), a short or ambiguous bad word must be a whole token
    or run of tokens, a Vietnamese word whose plain spelling is innocent must carry its bad
    spelling (or be typed with no marks at all), and a long unambiguous bad word may appear
    anywhere. See the module docstring for the details and the words deliberately allowed.
    """
    return find_abuse(nickname) is not None
