import numpy as np
import torch
from seqeval.metrics.sequence_labeling import get_entities

from nlpcourse.exercises import ch09


def align_labels(word_ids, word_labels):
    labels, previous = [], None
    for word in word_ids:
        labels.append(-100 if word is None or word == previous else word_labels[word])
        previous = word
    return labels


def test_check_align_labels():
    assert ch09.check_align_labels(align_labels)
    assert ch09.check_align_labels(lambda w, labels: torch.tensor(align_labels(w, labels)))  # a tensor counts
    assert "replace the `...`" in ch09.check_align_labels(...).message
    assert "expected a function" in ch09.check_align_labels([1, 2]).message

    def every_piece(word_ids, word_labels):
        return [-100 if w is None else word_labels[w] for w in word_ids]

    assert "label every piece" in ch09.check_align_labels(every_piece).message

    def zero_specials(word_ids, word_labels):
        return [0 if label == -100 and w is None else label
                for w, label in zip(word_ids, align_labels(word_ids, word_labels), strict=True)]

    assert "special tokens and padding" in ch09.check_align_labels(zero_specials).message

    def words_only(word_ids, word_labels):
        return list(word_labels)

    assert "one label per token" in ch09.check_align_labels(words_only).message

    def off_by_one(word_ids, word_labels):
        out = align_labels(word_ids, word_labels)
        return [out[0], *out[2:], -100]

    msg = ch09.check_align_labels(off_by_one).message
    assert "token 1 (word 0) should get 1" in msg

    def broken(word_ids, word_labels):
        raise KeyError("word")

    assert "raised KeyError" in ch09.check_align_labels(broken).message
    assert "return the list" in ch09.check_align_labels(lambda w, labels: None).message


def test_check_answer_tokens():
    assert ch09.check_answer_tokens((8, 12))
    assert ch09.check_answer_tokens(np.array([8, 12]))
    assert "replace the `...`" in ch09.check_answer_tokens(...).message
    assert "pair of token positions" in ch09.check_answer_tokens(8).message
    assert "end is inclusive" in ch09.check_answer_tokens((8, 13)).message
    assert "last piece of the answer is missing" in ch09.check_answer_tokens((8, 11)).message
    assert "belongs to the question" in ch09.check_answer_tokens((1, 12)).message
    assert "a special token" in ch09.check_answer_tokens((8, 15)).message
    assert "must contain character 21" in ch09.check_answer_tokens((7, 12)).message
    assert "outside the 16 tokens" in ch09.check_answer_tokens((8, 20)).message
    assert "last character (27)" in ch09.check_answer_tokens((8, 9)).message


def bio_entities(tags):  # the notebook's solution
    entities = []
    for i, tag in enumerate(tags):
        kind = tag[2:]
        if tag.startswith("I-") and entities and entities[-1][2] == i and entities[-1][0] == kind:
            entities[-1] = (kind, entities[-1][1], i + 1)
        elif tag != "O":
            entities.append((kind, i, i + 1))
    return entities


def test_entity_examples_are_what_seqeval_reads():
    for tags, right in ch09.ENTITY_EXAMPLES:
        assert ch09._entities(tags) == right
        # seqeval's get_entities gives (type, first, last) with the last word inclusive
        assert [(t, s, e + 1) for t, s, e in get_entities(list(tags))] == right


def test_check_bio_entities():
    assert ch09.check_bio_entities(bio_entities)
    assert ch09.check_bio_entities(lambda tags: [list(e) for e in bio_entities(tags)])  # lists count
    assert "replace the `...`" in ch09.check_bio_entities(...).message
    assert "expected a function" in ch09.check_bio_entities("B-PER").message

    def inclusive_end(tags):
        return [(t, s, e - 1) for t, s, e in bio_entities(tags)]

    assert "end is exclusive" in ch09.check_bio_entities(inclusive_end).message

    def merge_same_type(tags):  # ignores B- when the previous tag has the same type
        entities = []
        for i, tag in enumerate(tags):
            if tag == "O":
                continue
            if entities and entities[-1][2] == i and entities[-1][0] == tag[2:]:
                entities[-1] = (entities[-1][0], entities[-1][1], i + 1)
            else:
                entities.append((tag[2:], i, i + 1))
        return entities

    assert "always starts a new entity" in ch09.check_bio_entities(merge_same_type).message

    def type_only_runs(tags):  # B- of another type does not end the entity
        entities = []
        for i, tag in enumerate(tags):
            if tag.startswith("B-") and not (entities and entities[-1][2] == i):
                entities.append((tag[2:], i, i + 1))
            elif tag != "O" and entities and entities[-1][2] == i:
                entities[-1] = (entities[-1][0], entities[-1][1], i + 1)
        return entities

    assert "B- tag ends the entity before it" in ch09.check_bio_entities(type_only_runs).message

    def any_type_continues(tags):  # I- continues the entity before it, whatever the types
        entities = []
        for i, tag in enumerate(tags):
            if tag.startswith("I-") and entities and entities[-1][2] == i:
                entities[-1] = (entities[-1][0], entities[-1][1], i + 1)
            elif tag != "O":
                entities.append((tag[2:], i, i + 1))
        return entities

    msg = ch09.check_bio_entities(any_type_continues).message
    assert "only if the types match" in msg and "('PER', 0, 1), ('ORG', 1, 3)" in msg

    def drop_orphans(tags):  # an I- that continues nothing is ignored
        entities = []
        for i, tag in enumerate(tags):
            if tag.startswith("B-"):
                entities.append((tag[2:], i, i + 1))
            elif tag.startswith("I-") and entities and entities[-1][2] == i and entities[-1][0] == tag[2:]:
                entities[-1] = (entities[-1][0], entities[-1][1], i + 1)
        return entities

    msg = ch09.check_bio_entities(drop_orphans).message
    assert not ch09.check_bio_entities(drop_orphans)
    assert "is not dropped" in msg and "start of an entity" in msg
    assert "expected [('PER', 0, 2)" in ch09.check_bio_entities(lambda tags: []).message


def test_check_squad_f1():
    assert ch09.check_squad_f1(ch09.squad_f1)
    assert ch09.check_squad_f1(lambda p, r: np.float64(ch09.squad_f1(p, r)))
    assert "replace the `...`" in ch09.check_squad_f1(...).message
    assert "expected a function" in ch09.check_squad_f1(0.5).message
    assert "percentages" in ch09.check_squad_f1(lambda p, r: 100 * ch09.squad_f1(p, r)).message
    assert "normalise both answers first" in ch09.check_squad_f1(ch09._raw_f1).message
    exact = ch09.check_squad_f1(lambda p, r: float(ch09._normalize(p) == ch09._normalize(r)))
    assert "partial credit" in exact.message

    def precision_only(prediction, reference):
        pred, ref = ch09._normalize(prediction), ch09._normalize(reference)
        return len(set(pred) & set(ref)) / len(pred)

    assert "precision = shared words" in ch09.check_squad_f1(precision_only).message
    assert "one number" in ch09.check_squad_f1(lambda p, r: [0.5]).message


def test_squad_f1_agrees_with_the_official_script():
    assert ch09.squad_f1("The City Council.", "the city council") == 1.0
    assert ch09.squad_f1("in the morning", "at night") == 0.0
    assert abs(ch09.squad_f1("about 85,000 dollars", "85,000 dollars") - 0.8) < 1e-9
