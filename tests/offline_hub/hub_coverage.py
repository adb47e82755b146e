"""Find what each notebook needs from the Hub, evaluate, NLTK and spaCy, and what the offline hub lacks.

The scanner reads the code cells of a notebook with Python's ``ast`` (IPython ``%``/``!`` lines are
read separately) and collects:

- Hub ids: string arguments of ``*.from_pretrained(...)``, ``pipeline(..., model=/tokenizer=)``,
  ``SentenceTransformer(...)``, ``snapshot_download``/``hf_hub_download``, ``get_checkpoint(...)``,
  trl's ``clone_chat_template(model, tokenizer, "...")`` (the source's tokenizer),
  keyword arguments such as ``model_id="..."``, datasets of ``load_dataset("...")`` that are not
  local files or packaged builders (provided when the registry's ``DATASETS`` lists them), the
  default model that ``pipeline(task)`` picks when no model is given (with the revision it pins),
  and the model an evaluate module loads. Each load
  carries the part of the checkpoint it needs (``nlpcourse.registry.PARTS``): ``config`` for
  ``*Config.from_pretrained``, ``tokenizer`` for ``*Tokenizer*.from_pretrained`` and
  ``pipeline(tokenizer=...)``, ``weights`` for every other load; ``get_checkpoint`` reads the
  registry and loads nothing (part None). ``revision=`` is read where it is a literal; any other
  expression (``entry.revision``) stands for the revision the registry pins;
- evaluate modules: ``evaluate.load("...")`` and ``evaluate.combine([...])``, with the NLTK
  resources the registry says a module needs;
- NLTK resources: ``nltk.download("...")``, ``nltk.data.find("...")``, ``require_nltk(...)``,
  corpora imported from ``nltk.corpus``, and what calls imply (``word_tokenize``/``sent_tokenize``
  -> punkt_tab, ``WordNetLemmatizer`` -> wordnet, ``pos_tag`` -> averaged_perceptron_tagger_eng);
- spaCy models: ``spacy.load("...")``, ``load_spacy(...)``, ``import en_core_web_sm`` and
  ``spacy download``.

An argument may be a string literal or a name bound earlier in the notebook to string literals
(``checkpoint = "bert-base-uncased"``, ``for mid in ("gpt2", "t5-small")``), or ``c.id`` where ``c``
runs over the registry's ``CHECKPOINTS`` (every registered id). Strings the notebook
itself uses as output folders (``save_pretrained``, ``save_model``, ``output_dir=``) are local
paths, not Hub ids. What the hub provides is the registry (``nlpcourse.registry``), and for NLTK
only the resources that ``tests/offline_hub/nltk_data.py`` builds.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

HUB_ID = "Hub id"
HUB_DATASET = "Hub dataset"
PIPELINE_TASK = "pipeline task"
EVALUATE = "evaluate module"
NLTK = "NLTK resource"
SPACY = "spaCy model"

#: NLTK resources implied by calling (or naming) these functions and classes.
NLTK_IMPLIED: dict[str, tuple[str, ...]] = {
    "word_tokenize": ("punkt_tab",),
    "sent_tokenize": ("punkt_tab",),
    "PunktTokenizer": ("punkt_tab",),
    "WordNetLemmatizer": ("wordnet",),
    "pos_tag": ("averaged_perceptron_tagger_eng",),
    "pos_tag_sents": ("averaged_perceptron_tagger_eng",),
    "PerceptronTagger": ("averaged_perceptron_tagger_eng",),
    "ne_chunk": ("maxent_ne_chunker_tab", "words"),
    "SentimentIntensityAnalyzer": ("vader_lexicon",),
}
#: Names importable from ``nltk.corpus`` that are readers or helpers, not data packages.
NLTK_CORPUS_NON_DATA = re.compile(r"^[A-Z]|^(?:util|reader|find_corpus_fileids)$")
#: ``load_dataset`` builders that read local files (no Hub dataset involved).
PACKAGED_BUILDERS = frozenset(
    "csv json parquet text arrow pandas sql xml webdataset imagefolder audiofolder videofolder".split()
)
#: Keyword arguments whose string value is a Hub model id.
MODEL_KWARGS = frozenset(
    "model tokenizer model_id model_name model_name_or_path pretrained_model_name_or_path repo_id "
    "checkpoint".split()
)
#: Calls whose first argument (or ``output_dir=``) is a local folder the notebook writes.
OUTPUT_CALLS = frozenset({"save_pretrained", "save_model", "TrainingArguments", "Seq2SeqTrainingArguments"})
#: Calls whose Hub id arguments are read by the branches of ``visit_Call`` rather than generically.
HUB_CALLS = frozenset(
    "from_pretrained get_checkpoint pipeline SentenceTransformer snapshot_download hf_hub_download "
    "clone_chat_template".split()
)
REGISTRY_CHECKPOINTS = "nlpcourse.registry.CHECKPOINTS"
CONFIG, TOKENIZER, WEIGHTS = "config", "tokenizer", "weights"  # as nlpcourse.registry.PARTS
SPACY_DOWNLOAD = re.compile(r"spacy\s+download\s+([A-Za-z0-9_\-.]+)")
NLTK_DOWNLOAD_CLI = re.compile(r"nltk\.downloader\s+([A-Za-z0-9_\- .]+)")


@dataclass(frozen=True)
class Reference:
    """One thing a notebook cell needs: ``kind`` (one of the constants above) and ``name``."""

    notebook: str
    cell: int
    kind: str
    name: str
    revision: str | None = None
    part: str | None = None  # for Hub ids: what the cell loads of it (None: nothing)

    def describe(self) -> str:
        rev = f" at revision {self.revision}" if self.revision else ""
        return f"{self.notebook} cell {self.cell}: {self.kind} {self.name!r}{rev}"


Found = tuple[str, str, "str | None", "str | None"]  # kind, name, revision, part


@dataclass(frozen=True)
class Provided:
    """What the offline hub provides: registry ids (with pinned revisions), modules, resources, models."""

    hub_ids: dict[str, str | None]
    datasets: frozenset[str]
    evaluate: frozenset[str]
    nltk: frozenset[str]
    spacy: frozenset[str]

    @classmethod
    def from_registry(cls) -> Provided:
        """The registry's entries; for NLTK, those of them that ``nltk_data.py`` builds."""
        from nlpcourse import registry

        from . import nltk_data

        return cls(
            hub_ids={c.id: c.revision for c in registry.CHECKPOINTS},
            datasets=frozenset(registry.HUB_DATASETS),
            evaluate=frozenset(registry.EVALUATE_MODULES),
            nltk=frozenset(registry.NLTK_RESOURCES) & frozenset(nltk_data.BUILDERS),
            spacy=frozenset(registry.SPACY_MODELS),
        )


_HINTS = {
    HUB_ID: "add it to CHECKPOINTS in src/nlpcourse/registry.py so the offline hub builds a stand-in",
    HUB_DATASET: "add it to DATASETS in src/nlpcourse/registry.py so the offline hub builds a stand-in, or "
    "ship the data under data/ and load it with load_dataset('csv'/'json', data_files=...)",
    PIPELINE_TASK: "transformers does not know this pipeline task",
    EVALUATE: "add it to EVALUATE_MODULES and tests/offline_hub/third_party/evaluate_modules/<name>/",
    NLTK: "add it to NLTK_RESOURCES and build it in tests/offline_hub/nltk_data.py",
    SPACY: "add it to SPACY_MODELS and install it in tests/offline_hub/spacy_model.py",
}


def missing(references: Iterable[Reference], provided: Provided) -> list[str]:
    """One message per reference the offline hub does not provide, naming notebook and cell."""
    problems = []
    for ref in references:
        if ref.kind == HUB_ID:
            ok = ref.name in provided.hub_ids and (
                ref.revision is None or provided.hub_ids[ref.name] == ref.revision
            )
        elif ref.kind == HUB_DATASET:
            ok = ref.name in provided.datasets
        elif ref.kind == EVALUATE:
            ok = ref.name in provided.evaluate
        elif ref.kind == NLTK:
            ok = ref.name in provided.nltk
        elif ref.kind == SPACY:
            ok = ref.name in provided.spacy
        else:
            ok = False
        if not ok:
            problems.append(f"{ref.describe()} is not provided by the offline hub: {_HINTS[ref.kind]}")
    return problems


def _call_name(func: ast.expr) -> str:
    """Dotted name of a call target: ``nltk.word_tokenize``, ``AutoModel.from_pretrained``, ..."""
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    elif isinstance(func, ast.Call):
        parts.append(_call_name(func.func) + "()")
    return ".".join(reversed(parts))


def _arg(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return call.args[index] if len(call.args) > index else None


def _is_local_path(text: str) -> bool:
    return text.startswith((".", "/", "~")) or bool(re.search(r"\.(csv|jsonl?|parquet|txt|tsv|arrow)$", text))


_FLAGS = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
_HELP_LINE = re.compile(r"^[\w.]+\?{1,2}$")


def _parse_cell(source: str) -> tuple[ast.Module, list[str]]:
    """The syntax tree of a cell and its IPython lines (``!``/``%`` commands, ``obj?`` help).

    Source that is plain Python is parsed as it is; otherwise IPython lines become ``pass``.
    """
    try:
        return compile(source, "<cell>", "exec", flags=_FLAGS), []
    except SyntaxError:
        pass
    code, magics = [], []
    for line in source.splitlines():
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith(("!", "%")) or _HELP_LINE.match(stripped):
            magics.append(stripped)
            code.append(indent + "pass")
        else:
            code.append(line)
    return compile("\n".join(code), "<cell>", "exec", flags=_FLAGS), magics


def _pipeline_default(task: str) -> tuple[str | None, str | None, bool]:
    """(model id, pinned revision, task known) of ``pipeline(task)`` without a model."""
    from transformers.pipelines import PIPELINE_REGISTRY

    try:
        _, targeted, _ = PIPELINE_REGISTRY.check_task(task)
    except KeyError:
        return None, None, False
    model = (targeted.get("default") or {}).get("model")
    if isinstance(model, dict):
        model = model.get("pt")
    if not model:
        return None, None, True
    return model[0], model[1], True


def _registry_pin(model_id: str) -> str | None:
    """The revision the registry pins for ``model_id`` (None where it pins none or lacks the id)."""
    from nlpcourse import registry

    return next((c.revision for c in registry.CHECKPOINTS if c.id == model_id), None)


def _evaluate_module(name: str):  # -> nlpcourse.registry.EvaluateModule | None
    from nlpcourse import registry

    return next((m for m in registry.EVALUATE if m.name == name), None)


def _class_part(dotted: str) -> str:
    """What ``<class>.from_pretrained`` loads of a checkpoint, from the class name."""
    cls = dotted.split(".")[-2] if "." in dotted else ""
    if "Tokenizer" in cls:
        return TOKENIZER
    if cls.endswith("Config"):
        return CONFIG
    return WEIGHTS


class NotebookScanner(ast.NodeVisitor):
    """Collects what the code cells of one notebook need; names carry over from cell to cell."""

    def __init__(self) -> None:
        self.found: list[Found] = []
        self.outputs: set[str] = set()
        self.aliases: dict[str, str] = {}
        self.bound: dict[str, list[str]] = {}
        self.registry_loops: set[str] = set()  # names that run over the registry's CHECKPOINTS

    def scan_cell(self, source: str) -> list[Found]:
        """(kind, name, revision, part) for what one code cell needs; raises SyntaxError on bad code."""
        tree, magics = _parse_cell(source)
        self.found = []
        self.visit(tree)
        for line in magics:
            self.add(SPACY, SPACY_DOWNLOAD.findall(line))
            for group in NLTK_DOWNLOAD_CLI.findall(line):
                self.add(NLTK, [name for name in group.split() if not name.startswith("-")])
        return self.found

    def is_output(self, name: str) -> bool:
        """Whether ``name`` is (inside) a folder this notebook writes a model to."""
        return any(name == out or name.startswith(out.rstrip("/") + "/") for out in self.outputs)

    def add(
        self, kind: str, names: Iterable[str], revision: str | None = None, part: str | None = None
    ) -> None:
        self.found += [(kind, name, revision, part) for name in names if name]

    def values(self, node: ast.expr | None) -> list[str]:
        """The strings ``node`` stands for: a literal, a bound name, or a list/tuple of those."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.Name):
            return list(self.bound.get(node.id, []))
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return [value for element in node.elts for value in self.values(element)]
        if (isinstance(node, ast.Attribute) and node.attr == "id" and isinstance(node.value, ast.Name)
                and node.value.id in self.registry_loops):
            from nlpcourse import registry

            return [c.id for c in registry.CHECKPOINTS]
        return []

    def resolve(self, dotted: str) -> str:
        """``dotted`` with its first name replaced by what it was imported as."""
        head, _, rest = dotted.partition(".")
        target = self.aliases.get(head)
        if target is None:
            return dotted
        return f"{target}.{rest}" if rest else target

    def _bind(self, target: ast.expr, value: ast.expr, loop: bool = False) -> None:
        if isinstance(target, ast.Name):
            self.registry_loops.discard(target.id)
            if loop and self.resolve(_call_name(value)) == REGISTRY_CHECKPOINTS:
                self.registry_loops.add(target.id)
            values = self.values(value)
            if values:
                self.bound[target.id] = values
            else:
                self.bound.pop(target.id, None)

    def _revision(self, call: ast.Call, model_id: str) -> str | None:
        """The revision a load asks for: a literal, the registry's pin for any other expression."""
        node = next((kw.value for kw in call.keywords if kw.arg == "revision"), None)
        if node is None or (isinstance(node, ast.Constant) and node.value is None):
            return None
        literal = self.values(node)
        return literal[0] if literal else _registry_pin(model_id)

    def _load(self, call: ast.Call, names: Iterable[str], part: str) -> None:
        for name in names:
            self.add(HUB_ID, [name], self._revision(call, name), part)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            top = alias.name.split(".")[0]
            self.aliases[alias.asname or top] = alias.name if alias.asname else top
            if re.match(r"^[a-z]{2}_core_", alias.name):
                self.add(SPACY, [top])
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            self.aliases[alias.asname or alias.name] = f"{module}.{alias.name}"
            if module == "nltk.corpus" and not NLTK_CORPUS_NON_DATA.search(alias.name):
                self.add(NLTK, [alias.name])
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        match = re.match(r"^nltk\.corpus\.([a-z_0-9]+)", self.resolve(_call_name(node)))
        if match and not NLTK_CORPUS_NON_DATA.search(match.group(1)):
            self.add(NLTK, [match.group(1)])
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        for target in node.targets:
            self._bind(target, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.generic_visit(node)
        if node.value is not None:
            self._bind(node.target, node.value)

    def visit_For(self, node: ast.For) -> None:
        self._bind(node.target, node.iter, loop=True)
        self.generic_visit(node)

    def _visit_comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp
    ) -> None:
        for generator in node.generators:
            self._bind(generator.target, generator.iter, loop=True)
        self.generic_visit(node)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _visit_comprehension

    def visit_Call(self, node: ast.Call) -> None:
        dotted = self.resolve(_call_name(node.func))
        last = dotted.split(".")[-1]
        if last in OUTPUT_CALLS:
            self.outputs.update(self.values(_arg(node, 0, "output_dir")))
        for kw in node.keywords:
            if kw.arg == "output_dir":
                self.outputs.update(self.values(kw.value))
            elif kw.arg in MODEL_KWARGS and last not in HUB_CALLS:
                self._load(node, self.values(kw.value), TOKENIZER if kw.arg == "tokenizer" else WEIGHTS)
        if last == "from_pretrained":
            self._load(node, self.values(_arg(node, 0, "pretrained_model_name_or_path")), _class_part(dotted))
        elif last == "get_checkpoint":
            self.add(HUB_ID, self.values(_arg(node, 0, "model_id")))
        elif last == "pipeline":
            self._pipeline(node)
        elif last == "SentenceTransformer":
            names = [n for n in self.values(_arg(node, 0, "model_name_or_path")) if not _is_local_path(n)]
            self._load(node, [n if "/" in n else f"sentence-transformers/{n}" for n in names], WEIGHTS)
        elif last in ("snapshot_download", "hf_hub_download"):
            self._load(node, self.values(_arg(node, 0, "repo_id")), WEIGHTS)
        elif last == "clone_chat_template":  # trl: loads the source's tokenizer for its chat template
            self._load(node, self.values(_arg(node, 2, "source_tokenizer_path")), TOKENIZER)
        elif last == "load_dataset":
            names = self.values(_arg(node, 0, "path"))
            self.add(HUB_DATASET, [n for n in names if n not in PACKAGED_BUILDERS and not _is_local_path(n)])
        elif dotted == "evaluate.load":
            self._evaluate([n for n in self.values(_arg(node, 0, "path")) if not _is_local_path(n)])
        elif dotted == "evaluate.combine":
            self._evaluate(self.values(_arg(node, 0, "evaluations")))
        elif dotted in ("nltk.download", "nltk.downloader.download"):
            self.add(NLTK, self.values(_arg(node, 0, "info_or_id")))
        elif last == "require_nltk":
            self.add(NLTK, [v for arg in node.args for v in self.values(arg)])
        elif dotted in ("nltk.data.find", "nltk.data.load", "nltk.find"):
            for path in self.values(_arg(node, 0, "resource_name")):
                parts = [p for p in path.split("/") if p]
                if len(parts) >= 2:
                    self.add(NLTK, [parts[1].removesuffix(".zip")])
        elif dotted == "spacy.load":
            self.add(SPACY, [n for n in self.values(_arg(node, 0, "name")) if not _is_local_path(n)])
        elif last == "load_spacy":
            self.add(
                SPACY,
                self.values(_arg(node, 0, "name")) if (node.args or node.keywords) else ["en_core_web_sm"],
            )
        elif re.match(r"^[a-z]{2}_core_\w+\.load$", dotted):
            self.add(SPACY, [dotted.split(".")[0]])
        if dotted.startswith("nltk.") and last in NLTK_IMPLIED:
            if not (last == "word_tokenize" and _is_true(_arg(node, 2, "preserve_line"))):
                self.add(NLTK, NLTK_IMPLIED[last])
        self.generic_visit(node)

    def _evaluate(self, names: list[str]) -> None:
        """An evaluate module, the model it loads and the NLTK data it needs, as the registry says."""
        self.add(EVALUATE, names)
        for name in names:
            module = _evaluate_module(name)
            if module is not None:
                self.add(HUB_ID, [module.checkpoint] if module.checkpoint else [], part=WEIGHTS)
                self.add(NLTK, module.nltk)

    def _pipeline(self, node: ast.Call) -> None:
        for kw in node.keywords:
            if kw.arg == "tokenizer":
                self._load(node, self.values(kw.value), TOKENIZER)
        model = _arg(node, 1, "model")
        if model is not None:
            self._load(node, self.values(model), WEIGHTS)
            return
        for task in self.values(_arg(node, 0, "task")):
            default, revision, known = _pipeline_default(task)
            if not known:
                self.add(PIPELINE_TASK, [task])
            else:
                self.add(HUB_ID, [default or f"<no default model for {task}>"], revision, WEIGHTS)


def _is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def scan_notebook(path: Path) -> list[Reference]:
    """Every reference in the code cells of the notebook at ``path`` (cell = index in the file).

    Raises SyntaxError naming the notebook and cell when a code cell does not parse.
    """
    path = Path(path)
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    scanner = NotebookScanner()
    per_cell = []
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        try:
            per_cell.append((index, scanner.scan_cell(source)))
        except SyntaxError as err:
            raise SyntaxError(f"{path.name} cell {index}: cannot parse the code: {err}") from None
    return [
        Reference(path.name, index, kind, name, revision, part)
        for index, found in per_cell
        for kind, name, revision, part in found
        if not (kind == HUB_ID and scanner.is_output(name))
    ]


def loads(references: Iterable[Reference]) -> dict[tuple[str, str | None], str]:
    """(Hub id, revision) -> the largest part the references load of it (``None`` revision: main)."""
    from nlpcourse.registry import largest_part

    out: dict[tuple[str, str | None], str] = {}
    for ref in references:
        if ref.kind == HUB_ID and ref.part is not None:
            key = (ref.name, ref.revision)
            out[key] = largest_part([out[key], ref.part]) if key in out else ref.part
    return out


def notebooks(root: Path) -> list[Path]:
    """The course notebooks under ``root`` (checkpoint copies excluded), in order."""
    return sorted(p for p in Path(root).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
