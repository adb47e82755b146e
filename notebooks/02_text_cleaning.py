# %% [markdown]
# # 02 · Text cleaning: NLTK, spaCy, and when not to clean
#
# [![Open In Colab][colab-badge]][colab]
#
# [colab-badge]: https://colab.research.google.com/assets/colab-badge.svg
# [colab]: https://colab.research.google.com/github/hands-on-nlp/hf-nlp-course/blob/main/notebooks/02_text_cleaning.ipynb
#
# Text from the web is messy: HTML tags, links, e-mail addresses, emoji, "soooo goood!!!!", the same
# letter written in two Unicode ways. Classic NLP pipelines (Bag-of-Words, TF-IDF and the models
# built on them) also *normalise* text: lower case, no punctuation, no stop words, words reduced to a
# stem or lemma. This notebook shows each step with NLTK, spaCy and regular expressions, builds a
# reusable cleaner, and then measures what the same steps do to a transformer: some of them remove
# exactly the words that carry the meaning.
#
# **You will learn**
# - the classic steps: lowercasing, punctuation, tokenization, stop words, stemming and lemmatization;
# - why a lemmatizer needs the part of speech, and how spaCy provides it;
# - spaCy's sentences, POS tags, lemmas, dependency parse and named entities, drawn with displacy;
# - regex rules for URLs, e-mail addresses, HTML, emoji, Unicode forms and repeated characters, with tests;
# - when *not* to clean: what stop-word removal does to a transformer's sentiment predictions.
#
# **Prerequisites:** 01 Tokenization (subword tokenizers). Basic regular expressions help.
#
# **Runtime:** about 22 s on [2 CPU cores](../benchmarks/cpu-2-cores.md) with real-size models, peak
# memory about 1.2 GB; on a GPU not measured yet. **Download:** 296 MB the first time, or ahead with
# `python -m nlpcourse download 02`.

# %%
import subprocess
import sys

if "google.colab" in sys.modules:  # Colab: install the course package first
    course = "nlpcourse @ git+https://github.com/hands-on-nlp/hf-nlp-course"
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", course],
                         capture_output=True, text=True)
    if pip.returncode != 0:
        print(pip.stdout[-2000:], pip.stderr[-2000:], sep="\n")
        raise RuntimeError(f"pip could not install {course} (its output is above): check that "
                           "this runtime has internet and can reach the repository, then run again")

import nlpcourse

env = nlpcourse.setup()

# %% [markdown]
# ## The classic steps, one at a time
#
# One sentence with capitals, contractions, repeated punctuation and an emoticon. NLTK needs three data
# packages for this section; `require_nltk` says how to install any that are missing.

# %%
import re

import nltk
import pandas as pd

from nlpcourse.resources import require_nltk

require_nltk("punkt_tab", "stopwords", "wordnet")
text = "It's RAINING heavily!! Studying NLP is Fun and Challenging. ;-)"
text

# %% [markdown]
# **Lowercasing** makes "RAINING", "Raining" and "raining" the same word for a model that counts words.

# %%
lower = text.lower()
assert lower == "it's raining heavily!! studying nlp is fun and challenging. ;-)"
lower

# %% [markdown]
# **Punctuation removal** with a regular expression: `[^\w\s]` matches every character that is
# neither a word character nor whitespace. The apostrophe goes too, so "it's" becomes "its", and the
# emoticon disappears.

# %%
no_punct = re.sub(r"[^\w\s]", "", lower)
assert no_punct == "its raining heavily studying nlp is fun and challenging "
no_punct

# %% [markdown]
# **Tokenization.** After the two steps above, splitting on spaces is enough. On the raw text NLTK's
# `word_tokenize` does more work: it separates the clitic `'s`, each `!` and the emoticon's characters.

# %%
tokens = no_punct.split()
raw_tokens = nltk.word_tokenize(text)
assert tokens == ["its", "raining", "heavily", "studying", "nlp", "is", "fun", "and", "challenging"]
assert raw_tokens[:6] == ["It", "'s", "RAINING", "heavily", "!", "!"]
assert raw_tokens[-3:] == [";", "-", ")"]  # the emoticon, in three pieces
raw_tokens

# %% [markdown]
# **Stop words** are frequent function words ("is", "and", "the") that carry little topic
# information. NLTK and spaCy each ship a list, and the lists differ:

# %%
import spacy
from nltk.corpus import stopwords

nltk_stops = set(stopwords.words("english"))
spacy_stops = set(spacy.blank("en").Defaults.stop_words)
only_nltk = sorted(nltk_stops - spacy_stops)
only_spacy = sorted(spacy_stops - nltk_stops)
assert {"is", "and", "not", "no"} <= nltk_stops & spacy_stops  # negations are stop words in both!
assert only_nltk and only_spacy
print(f"NLTK: {len(nltk_stops)} words, spaCy: {len(spacy_stops)} words, "
      f"shared: {len(nltk_stops & spacy_stops)}")
print("only NLTK, e.g.:", only_nltk[:12])
print("only spaCy, e.g.:", only_spacy[:12])

# %% [markdown]
# Note `not` and `no`: both lists treat negations as stop words. NLTK's list holds more of them: every
# contraction in *n't* ("don't", "isn't", "wasn't", ...) and the pieces a tokenizer leaves when it splits
# one at the apostrophe ("don", "isn", "wasn", ..., and "t"). Collected from the list itself:

# %%
contractions = sorted(w for w in nltk_stops if w.endswith("n't"))
fragments = sorted({w.split("'")[0] for w in contractions} & nltk_stops)  # "don't" -> "don" (+ "t")
negations = {"no", "nor", "not", "t", *contractions, *fragments}
assert {"don't", "isn't", "wasn't"} <= set(contractions)
assert {"don", "isn", "wasn"} <= set(fragments) and "t" in nltk_stops
print(f"{len(negations)} negation words and pieces:", sorted(negations))

# %% [markdown]
# Keep that in mind for the section on when not to clean. Removing NLTK's stop words from our tokens:

# %%
content = [t for t in tokens if t not in nltk_stops]
assert content == ["raining", "heavily", "studying", "nlp", "fun", "challenging"]
content

# %% [markdown]
# **Stemming** chops suffixes by rules, fast and without a dictionary; the result need not be a word.
# The Porter stemmer (1980) and its successor Snowball ("Porter2") mostly agree but differ on some
# suffixes, such as "-ly":

# %%
from nltk.stem import PorterStemmer, SnowballStemmer

porter, snowball = PorterStemmer(), SnowballStemmer("english")
stem_words = content + ["sportingly", "organization", "university"]
stems = {w: (porter.stem(w), snowball.stem(w)) for w in stem_words}
assert stems["studying"] == ("studi", "studi") and stems["heavily"] == ("heavili", "heavili")
assert stems["sportingly"] == ("sportingli", "sport")
assert stems["organization"][0] == "organ"  # organization and organ now look alike
stems

# %% [markdown]
# **Lemmatization** looks words up in a dictionary (WordNet) and returns the dictionary form, the
# *lemma*. It needs to know the part of speech: without one, WordNet's lemmatizer treats every word as a
# noun, and "studying" (the noun, as in "a studying session") stays as it is.

# %%
from nltk.stem import WordNetLemmatizer

lemmatizer = WordNetLemmatizer()
as_noun = [lemmatizer.lemmatize(w) for w in ["studying", "raining", "is"]]
as_verb = [lemmatizer.lemmatize(w, pos="v") for w in ["studying", "raining", "is"]]
assert as_noun == ["studying", "raining", "is"]
assert as_verb == ["study", "rain", "be"]
as_noun, as_verb

# %% [markdown]
# So where does the part of speech come from? A tagger. NLTK's `pos_tag` needs another data package;
# spaCy's pipeline (loaded in the next cell) tags every token anyway. Its coarse tags map onto WordNet's four
# classes (noun, verb, adjective, adverb). We tag the lower-cased sentence: on the original, spaCy reads
# the capitalised "Fun" and "Challenging" as proper nouns.

# %%
from nlpcourse.resources import load_spacy

nlp = load_spacy("en_core_web_sm")
WORDNET_POS = {"NOUN": "n", "VERB": "v", "AUX": "v", "ADJ": "a", "ADV": "r"}

doc = nlp(lower)
lemmas = [
    (t.text, t.pos_, lemmatizer.lemmatize(t.text, pos=WORDNET_POS.get(t.pos_, "n")), t.lemma_)
    for t in doc
    if t.is_alpha
]
assert ("studying", "VERB", "study", "study") in lemmas and ("raining", "VERB", "rain", "rain") in lemmas
assert [p for w, p, *_ in lemmas if w in {"fun", "challenging"}] == ["ADJ", "ADJ"]
assert [t.pos_ for t in nlp(text) if t.text in {"Fun", "Challenging"}] == ["PROPN", "PROPN"]
pd.DataFrame(lemmas, columns=["token", "spaCy POS", "WordNet lemma (with POS)", "spaCy lemma"])

# %% [markdown]
# What to notice: with the part of speech, WordNet's lemma and spaCy's own lemma agree; stems like
# "studi" and "challeng" are not words at all.
#
# ## spaCy: sentences, tags, lemmas, parse and entities
#
# One call of `nlp(text)` runs spaCy's whole pipeline. On a short paragraph:

# %%
paragraph = (
    "Apple is opening a new office in Berlin next year. "
    "Tim Cook announced the plan on Monday in California. The office will employ 300 engineers."
)
doc = nlp(paragraph)
sentences = [s.text for s in doc.sents]
assert len(sentences) == 3 and sentences[1] == "Tim Cook announced the plan on Monday in California."
sentences

# %%
first = doc[:11]  # the first sentence's tokens
table = pd.DataFrame(
    [(t.text, t.pos_, t.tag_, t.lemma_, t.dep_, t.head.text) for t in first],
    columns=["token", "POS", "fine tag", "lemma", "dependency", "head"],
)
assert table.set_index("token").loc["opening", "lemma"] == "open"
assert table.set_index("token").loc["opening", "dependency"] == "ROOT"
assert table.set_index("token").loc["office", "head"] == "opening"
table

# %% [markdown]
# The *dependency parse* links every word to its head: "office" is the direct object (`dobj`) of
# "opening", the root of the sentence. displacy draws it:

# %%
from spacy import displacy

displacy.render(nlp("Apple is opening a new office in Berlin."), style="dep", jupyter=True,
                options={"compact": True, "distance": 95})

# %% [markdown]
# Named entities are spans with a type: organisations, places (GPE: countries, cities, states),
# people, dates, numbers.

# %%
entities = [(e.text, e.label_) for e in doc.ents]
assert {("Apple", "ORG"), ("Berlin", "GPE"), ("Tim Cook", "PERSON"), ("California", "GPE")} <= set(entities)
displacy.render(doc, style="ent", jupyter=True)
entities

# %% [markdown]
# ## Real-world mess: regex rules, each with its tests
#
# Reviews scraped from the web look more like this:

# %%
messy = (
    "<p>Sooooo GOOD!!!! 😍😍 Ordered from https://shop.example.com/item?id=42 &amp; it arrived "
    "in 2 days.</p><br>Questions? Mail ＳＵＰＰＯＲＴ at help@shop.example.com</p>"
)
messy

# %% [markdown]
# The course package `nlpcourse.cleaning` has one small function per rule. Each is a regular expression
# or a Unicode operation you can read (`cleaning.URL_PATTERN.pattern`, or `cleaning.strip_html??`).
# For instance the e-mail rule: a name, `@`, then a domain with at least one dot:

# %%
from nlpcourse import cleaning

print(cleaning.EMAIL_PATTERN.pattern)
assert cleaning.replace_emails("mail help@shop.example.com") == "mail <email>"
assert cleaning.replace_emails("a lone @ or a@b") == "a lone @ or a@b"  # no dot in the domain: kept

# %% [markdown]
# Unicode deserves a word. The same visible text can be stored in different ways: "é" as one character,
# or as "e" plus a combining accent; "ＳＵＰＰＯＲＴ" in full-width letters. Normalisation (NFC, NFKC)
# makes equal-looking strings equal:

# %%
import unicodedata

composed, decomposed = "caf\u00e9", "cafe\u0301"
assert composed != decomposed and len(composed) == 4 and len(decomposed) == 5
assert unicodedata.normalize("NFC", decomposed) == composed
assert cleaning.normalize_unicode("ＳＵＰＰＯＲＴ ﬁne") == "SUPPORT fine"  # NFKC folds width and ligatures
print(composed, decomposed, composed == decomposed)

# %% [markdown]
# A rule is only trustworthy with tests: inputs it must change, and inputs it must leave alone. Here
# is a test table with one or more cases per rule; every row is checked:

# %%
rule_tests = [
    ("strip_html", cleaning.strip_html, "<b>Great</b> <i>value</i>", "Great value"),
    ("strip_html", cleaning.strip_html, "3 < 5 and 6 > 2", "3 < 5 and 6 > 2"),
    ("strip_html", cleaning.strip_html, "Fish &amp; chips", "Fish & chips"),
    ("replace_urls", cleaning.replace_urls, "see https://x.io/a?b=1.", "see <url>."),
    ("replace_urls", cleaning.replace_urls, "www.shop.com is down", "<url> is down"),
    ("replace_emails", cleaning.replace_emails, "ask anna@uni.de!", "ask <email>!"),
    ("remove_emoji", cleaning.remove_emoji, "love it😍😍", "love it "),
    ("squeeze_repeats", cleaning.squeeze_repeats, "soooo goood!!!!", "soo good!!"),
    ("squeeze_repeats", cleaning.squeeze_repeats, "1000 good books", "1000 good books"),
    ("normalize_unicode", cleaning.normalize_unicode, "ＮＬＰ", "NLP"),
    ("collapse_whitespace", cleaning.collapse_whitespace, "  a \n\t b ", "a b"),
]
results = pd.DataFrame(
    [(name, given, rule(given), expected) for name, rule, given, expected in rule_tests],
    columns=["rule", "input", "output", "expected"],
)
assert (results.output == results.expected).all(), results[results.output != results.expected]
results

# %% [markdown]
# `clean()` runs the rules in a fixed order, chosen by a `CleaningConfig`. The default removes only
# noise (markup, links, addresses, repeated characters, odd Unicode) and keeps case, punctuation, emoji
# and stop words. `CleaningConfig.classic(...)` adds the classic normalisation steps:

# %%
from nlpcourse.cleaning import CleaningConfig, clean

classic = CleaningConfig.classic(stopwords=nltk_stops)
gentle = clean(messy)
harsh = clean(messy, classic)
assert gentle == (
    "Soo GOOD!! 😍😍 Ordered from <url> & it arrived in 2 days. Questions? Mail SUPPORT at <email>"
)
assert harsh == "soo good ordered <url> arrived 2 days questions mail support <email>"
print(CleaningConfig().steps())
print(classic.steps())
gentle, harsh

# %% [markdown]
# It also copes with empty and non-English input: letters of every script are kept, and accent
# removal is a separate, opt-in step because it changes words in most languages.

# %%
assert clean("") == "" and clean("   <p></p> ") == ""
assert clean("C'est TRÈS élégant !!!", CleaningConfig.classic()) == "cest très élégant"
assert clean("東京は素晴らしい！", CleaningConfig.classic()) == "東京は素晴らしい"
assert clean("Crème brûlée", strip_accents=True) == "Creme brulee"
assert clean("It is what it is.", classic) == ""  # nothing but stop words: nothing left
clean("Привет, МИР!!!", CleaningConfig.classic())

# %% [markdown]
# What to notice in the last check: classic cleaning can leave *nothing* of a text. A model then has to
# classify an empty string.
#
# Why do classic pipelines clean at all? Each step merges spellings of the same word ("Good", "good.",
# "good!") or drops frequent words, so a word-counting model has fewer, better-filled columns. The
# number of different words in the course's training reviews after each step:

# %%
from nlpcourse import plots
from nlpcourse.data import load_reviews

reviews = load_reviews()
train_texts = list(reviews["train"]["text"])
steps = {
    "raw": CleaningConfig(),
    "+ lower case": CleaningConfig(lowercase=True),
    "+ no punctuation": CleaningConfig(lowercase=True, remove_punctuation=True),
    "+ no stop words": classic,
}
cleaned = {step: [clean(t, cfg).split() for t in train_texts] for step, cfg in steps.items()}
vocabulary_size = {step: len({w for words in texts for w in words}) for step, texts in cleaned.items()}
word_total = {step: sum(len(words) for words in texts) for step, texts in cleaned.items()}
sizes = list(vocabulary_size.values())
assert sizes == sorted(sizes, reverse=True) and sizes[0] > sizes[-1]
assert word_total["+ no stop words"] < word_total["+ no punctuation"]
plots.bars(vocabulary_size, title="Different words in the training reviews", xlabel="cleaning step",
           ylabel="vocabulary size")
print(f"stop-word removal drops {1 - word_total['+ no stop words'] / word_total['+ no punctuation']:.0%} "
      "of all word occurrences")

# %% [markdown]
# ## When not to clean
#
# A transformer was pre-trained on raw text, with its own subword tokenizer. It has seen capitals,
# punctuation and every stop word, and it uses them. Take the sentiment model of chapter 03 (a DistilBERT
# fine-tuned on movie-review sentences, SST-2), named explicitly as chapter 03 recommends:

# %%
from transformers import pipeline

classifier = pipeline(
    "sentiment-analysis",
    model="distilbert/distilbert-base-uncased-finetuned-sst-2-english",
    device=env.device,
)

# %% tags=["quality"]
sentence = "The food was not good at all."
without_stops = clean(sentence, stopwords=nltk_stops)
before, after = classifier([sentence, without_stops])
assert without_stops == "food good"
assert before["label"] == "NEGATIVE" and after["label"] == "POSITIVE"
(sentence, before), (without_stops, after)

# %% [markdown]
# Removing stop words removed "not" and "at all", and the review flipped from NEGATIVE to POSITIVE.
# Lowercasing, on the other hand, does nothing here: this model is *uncased*, its tokenizer lower-cases
# the text itself. And punctuation becomes separate tokens, so the words next to it are unaffected:

# %%
sst2_tokenizer = classifier.tokenizer
assert sst2_tokenizer.tokenize("GREAT!!!") == sst2_tokenizer.tokenize("great!!!")
assert sst2_tokenizer.tokenize("great!!!") == ["great", "!", "!", "!"]
sst2_tokenizer.tokenize("GREAT!!!")

# %% [markdown]
# Now the whole test split of the course reviews (264 sentences). Lowercasing cannot change a single
# prediction of this model: the ids it receives are the same.

# %%
test = reviews["test"]
test_texts = list(test["text"])
gold = [test.features["label"].int2str(y).upper() for y in test["label"]]
same_ids = [sst2_tokenizer(t)["input_ids"] == sst2_tokenizer(t.lower())["input_ids"] for t in test_texts]
assert all(same_ids)
print(f"{sum(same_ids)} of {len(test_texts)} reviews give identical ids when lower-cased")

# %% [markdown]
# The other steps do change the input. We classify the reviews raw and after each step, and count how
# many predictions change and what happens to accuracy (on CPU this cell takes the longest, about
# 10-30 s: it classifies the 264 reviews three times):

# %% tags=["quality"]
variants = {
    "raw": test_texts,
    "no stop words": [clean(t, stopwords=nltk_stops) for t in test_texts],
    "classic (all)": [clean(t, classic) for t in test_texts],
}
predictions = {
    name: [p["label"] for p in classifier(texts, batch_size=64, truncation=True)]
    for name, texts in variants.items()
}


def n_differences(a, b):
    return sum(x != y for x, y in zip(a, b, strict=True))


summary = pd.DataFrame(
    {
        "changed predictions": {n: n_differences(p, predictions["raw"]) for n, p in predictions.items()},
        "accuracy": {n: 1 - n_differences(p, gold) / len(gold) for n, p in predictions.items()},
    }
)
# compared with the raw run in this same cell: removing stop words changes predictions and costs accuracy
assert summary.loc["no stop words", "changed predictions"] > 0
assert summary.loc["no stop words", "accuracy"] < summary.loc["raw", "accuracy"]
print(f"without stop words {summary.loc['no stop words', 'changed predictions']} of {len(gold)} predictions "
      f"change, and accuracy goes from {summary.loc['raw', 'accuracy']:.2f} to "
      f"{summary.loc['no stop words', 'accuracy']:.2f}")
summary

# %%
plots.bars(summary["changed predictions"].to_dict(), title="Test predictions changed by cleaning (of 264)",
           xlabel="cleaning applied before the model", ylabel="changed predictions")

# %% [markdown]
# A few of the reviews whose prediction flipped when stop words were removed:

# %%
flipped = [
    (raw, cleaned, p_raw, p_clean)
    for raw, cleaned, p_raw, p_clean in zip(
        test_texts, variants["no stop words"], predictions["raw"], predictions["no stop words"], strict=True
    )
    if p_raw != p_clean
]
assert len(flipped) == summary.loc["no stop words", "changed predictions"]
pd.DataFrame(flipped[:6], columns=["review", "without stop words", "raw prediction", "cleaned prediction"])

# %% [markdown]
# What to notice: for a transformer, keep the text as it is. Remove only what is noise to *any*
# model (markup, links, broken Unicode), which the default `CleaningConfig()` does. The classic steps
# belong to models that count words (Bag-of-Words, TF-IDF), where they shrink the vocabulary; even
# there, keep the negations when sentiment matters: `nltk_stops - negations`, with the set built above
# from NLTK's own list, not only `{"not", "no", "nor"}`, which would still drop "don't", "isn't" and
# "wasn't".
#
# ## Summary
#
# - Classic steps: lowercasing, punctuation removal, tokenization, stop-word removal, stemming or
#   lemmatization; they shrink the vocabulary of word-counting models.
# - NLTK's and spaCy's stop-word lists differ, and both contain "not" and "no"; NLTK's also holds
#   "don't", "isn't", "wasn't" and their pieces ("don", "isn", "wasn", "t").
# - Stemmers (Porter, Snowball) chop suffixes by rule; WordNet's lemmatizer returns dictionary forms but
#   needs the part of speech, which spaCy's tagger provides.
# - spaCy gives sentences, POS tags, lemmas, a dependency parse and named entities in one call;
#   displacy draws them.
# - Web text needs regex rules for HTML, URLs, e-mail addresses, emoji, repeated characters and Unicode
#   normalisation, and each rule needs tests, including inputs it must leave alone.
# - `nlpcourse.cleaning.clean` runs configurable steps; it handles empty and non-English text.
# - Do not classic-clean text for a transformer: removing stop words flips "not good" to "good" and
#   changed many of the test predictions here; lowercasing changed none for an uncased model.

# %% [markdown]
# ## Exercises
#
# **1 (easy).** Stem the words below with NLTK's **Porter** stemmer. Set `answer` to the list of stems,
# in order.

# %%
from nlpcourse.exercises.ch02 import (
    LEMMA_QUERIES,
    STEM_WORDS,
    check_lemmas,
    check_mention_rule,
    check_stems,
    check_transformer_safe_config,
)

print(STEM_WORDS)
answer = ...
check_stems(answer)

# %% tags=["solution"]
answer = [porter.stem(w) for w in STEM_WORDS]
assert check_stems(answer)

# %% [markdown]
# **2 (easy).** Lemmatize each word of `LEMMA_QUERIES` with `WordNetLemmatizer`, using the part of
# speech given with it (`"a"` adjective, `"v"` verb, `"n"` noun).

# %%
print(LEMMA_QUERIES)
answer = ...
check_lemmas(answer)

# %% tags=["solution"]
answer = [lemmatizer.lemmatize(word, pos=pos) for word, pos in LEMMA_QUERIES]
assert check_lemmas(answer)


# %% [markdown]
# **3 (medium).** Social-media text is full of @mentions. Write `replace_mentions(text)` that replaces
# each mention (`@` followed by letters, digits or `_`) by `<user>`, but leaves e-mail addresses such
# as `anna@example.com`, a lone `@` and empty text alone. Test it on a few inputs of your own first.

# %%
def replace_mentions(text):
    ...  # your code: return the new text


check_mention_rule(replace_mentions)


# %% tags=["solution"]
def replace_mentions(text):
    return re.sub(r"(?<!\w)@\w+", "<user>", text)


assert replace_mentions("hi @bob, mail bob@x.org") == "hi <user>, mail bob@x.org"
assert check_mention_rule(replace_mentions)

# %% [markdown]
# **4 (stretch).** Build a `CleaningConfig` for text that goes to a transformer sentiment model:
# remove HTML and URLs, keep everything that carries meaning. Then clean the scraped review below with
# it and check that `classifier` still finds it NEGATIVE.

# %%
scraped = "<p>The food was <b>not good</b> at all!!!!</p> Photos: https://img.example.com/1"
config = ...
check_transformer_safe_config(config)

# %% tags=["solution", "quality"]
config = CleaningConfig(url_placeholder="")
assert check_transformer_safe_config(config)
cleaned_review = clean(scraped, config)
assert cleaned_review == "The food was not good at all!! Photos:"
prediction = classifier(cleaned_review)[0]
assert prediction["label"] == "NEGATIVE"
cleaned_review, prediction

# %% [markdown]
# ## Further reading
#
# - NLTK book, chapter 3 (normalising text, stemmers, lemmatization): https://www.nltk.org/book/ch03.html
# - NLTK stem and corpus reader docs: https://www.nltk.org/api/nltk.stem.html
# - spaCy 101 (tokenization, POS, dependencies, entities) and displacy:
#   https://spacy.io/usage/spacy-101 and https://spacy.io/usage/visualizers
# - Python `re` and `unicodedata`: https://docs.python.org/3/library/re.html and
#   https://docs.python.org/3/library/unicodedata.html; Unicode normalisation forms (UAX #15):
#   https://unicode.org/reports/tr15/
# - Porter (1980), *An algorithm for suffix stripping*; the Snowball stemmers: https://snowballstem.org/
# - Miller (1995), *WordNet: a lexical database for English*: https://wordnet.princeton.edu/
# - Transformers pipelines (sentiment analysis): https://huggingface.co/docs/transformers/main_classes/pipelines
