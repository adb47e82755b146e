"""NLTK data of the offline hub (the folder that ``NLTK_DATA`` points to).

One builder per resource of ``nlpcourse.registry.NLTK``, written at the resource's ``path``:

- ``corpora/wordnet/``: the WordNet 3.0 database from Debian's ``wordnet-base`` and
  ``wordnet-sense-index`` packages (the latter has ``index.sense``, which NLTK's reader opens on
  load), plus the ``lexnames`` file the reader needs, made from the table in the
  ``lexnames(5WN)`` man page of ``wordnet-base``.
- ``tokenizers/punkt_tab/english/``: a Punkt model trained by NLTK's own ``PunktTrainer`` on
  ``data/corpus.txt``, with a few common English abbreviations added to what it learned, written
  by ``nltk.tokenize.punkt.save_punkt_params``.
- ``corpora/stopwords/english``: NLTK's English stop word list (179 words), see ``STOPWORDS``.
"""

from __future__ import annotations

import gzip
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nltk.tokenize.punkt import PunktParameters

WORDNET_DIR = Path("/usr/share/wordnet")
LEXNAMES_MAN = Path("/usr/share/man/man5/lexnames.5WN.gz")
WORDNET_FILES: tuple[str, ...] = tuple(
    "adj.exc adv.exc noun.exc verb.exc cntlist.rev data.adj data.adv data.noun data.verb "
    "index.adj index.adv index.noun index.verb index.sense".split()
)

#: Abbreviations the real English Punkt model knows and a small course corpus may not teach it.
SEED_ABBREVIATIONS: frozenset[str] = frozenset(
    {"dr", "mr", "mrs", "ms", "prof", "st", "jr", "sr", "vs", "inc", "ltd", "co", "corp", "e.g", "i.e", "u.s"}
)

#: NLTK's English stop word list as nltk_data's ``stopwords`` package shipped it for years (179
#: words): the Snowball English list (the 127 words PostgreSQL also ships as
#: ``tsearch_data/english.stop``) followed by the 52 contraction forms NLTK added. Newer nltk_data
#: has a longer list (198 words, more contractions), so notebooks should not assert the count.
STOPWORDS: tuple[str, ...] = tuple(
    """
    i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself
    yourselves he him his himself she she's her hers herself it it's its itself they them their
    theirs themselves what which who whom this that that'll these those am is are was were be
    been being have has had having do does did doing a an the and but if or because as until
    while of at by for with about against between into through during before after above below
    to from up down in out on off over under again further then once here there when where why
    how all any both each few more most other some such no nor not only own same so than too
    very s t can will just don don't should should've now d ll m o re ve y ain aren aren't
    couldn couldn't didn didn't doesn doesn't hadn hadn't hasn hasn't haven haven't isn isn't ma
    mightn mightn't mustn mustn't needn needn't shan shan't shouldn shouldn't wasn wasn't weren
    weren't won won't wouldn wouldn't
    """.split()
)

_POS_CODE = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}


def lexnames_from_man_page(man_page: Path = LEXNAMES_MAN) -> str:
    """The ``lexnames`` file: "NN<TAB>name<TAB>pos" for the 45 rows of the man page's table."""
    text = gzip.decompress(man_page.read_bytes()).decode("utf-8")
    table = text[text.index(".TS") : text.index(".TE")]
    rows = re.findall(r"^(\d\d)\t([a-z]+\.[A-Za-z]+)\s*\t", table, flags=re.MULTILINE)
    if [int(number) for number, _ in rows] != list(range(45)):
        raise ValueError(f"{man_page}: expected lexicographer files 00..44, found {[n for n, _ in rows]}")
    return "".join(f"{number}\t{name}\t{_POS_CODE[name.split('.')[0]]}\n" for number, name in rows)


def build_wordnet(target: Path, corpus: Path) -> None:
    """Copy the WordNet 3.0 database into ``target`` and add ``lexnames``."""
    missing = [name for name in WORDNET_FILES if not (WORDNET_DIR / name).is_file()]
    if missing or not LEXNAMES_MAN.is_file():
        raise FileNotFoundError(
            f"WordNet files missing ({', '.join(missing) or LEXNAMES_MAN}): "
            "install them with `apt-get install -y --no-install-recommends wordnet-base wordnet-sense-index`"
        )
    target.mkdir(parents=True, exist_ok=True)
    for name in WORDNET_FILES:
        shutil.copyfile(WORDNET_DIR / name, target / name)
    (target / "lexnames").write_text(lexnames_from_man_page())
    (target / "README").write_text(
        "WordNet 3.0 database files from Debian's wordnet-base and wordnet-sense-index packages\n"
        "(/usr/share/wordnet); lexnames made from the table in the lexnames(5WN) man page.\n"
        "WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved.\n"
    )


def train_punkt(corpus: Path) -> PunktParameters:
    """Train Punkt parameters on ``corpus`` (one paragraph per line) with NLTK's ``PunktTrainer``."""
    from nltk.tokenize.punkt import PunktTrainer

    trainer = PunktTrainer()
    trainer.train(corpus.read_text(encoding="utf-8"), finalize=True)
    params = trainer.get_params()
    params.abbrev_types.update(SEED_ABBREVIATIONS)
    return params


def build_punkt(target: Path, corpus: Path) -> None:
    """Write the English Punkt model into ``target`` (``<nltk_data>/tokenizers/punkt_tab/english``)."""
    import nltk
    from nltk.tokenize.punkt import save_punkt_params

    nltk_dir = target.parents[2]
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # save_punkt_params writes only inside an NLTK data root, into a private (0700) folder.
    if str(nltk_dir) not in nltk.data.path:
        nltk.data.path.insert(0, str(nltk_dir))
    save_punkt_params(train_punkt(corpus), dir=str(target))
    target.chmod(0o755)
    for written in target.iterdir():
        written.chmod(0o644)
    (target.parent / "README").write_text(
        "Punkt sentence tokenizer model trained by NLTK's PunktTrainer on the course corpus\n"
        f"(data/corpus.txt), plus the abbreviations {', '.join(sorted(SEED_ABBREVIATIONS))}.\n"
    )


def build_stopwords(target: Path, corpus: Path) -> None:
    """Write ``corpora/stopwords/english`` (and its README) into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    (target / "english").write_text("".join(f"{word}\n" for word in STOPWORDS))
    (target / "README").write_text(
        "english: NLTK's English stop word list (179 words: the Snowball English list plus\n"
        "contraction forms), as nltk_data shipped it before its 198-word update.\n"
    )


#: resource name -> its builder, called with the resource's folder and the course corpus.
BUILDERS: dict[str, Callable[[Path, Path], None]] = {
    "wordnet": build_wordnet, "stopwords": build_stopwords, "punkt_tab": build_punkt,
}


def build(nltk_dir: Path, repo: Path) -> None:
    """Build every NLTK resource of the registry into ``nltk_dir`` (WordNet from Debian, Punkt from data/)."""
    from nlpcourse.registry import NLTK

    missing = [resource.name for resource in NLTK if resource.name not in BUILDERS]
    if missing:
        raise SystemExit(f"offline hub: no builder for the NLTK resources {missing} in {__file__}")
    nltk_dir = Path(nltk_dir).resolve()
    corpus = Path(repo) / "data" / "corpus.txt"
    if not corpus.is_file():
        raise FileNotFoundError(f"{corpus} is missing: the Punkt model is trained on it")
    for resource in NLTK:
        BUILDERS[resource.name](nltk_dir / resource.path, corpus)
