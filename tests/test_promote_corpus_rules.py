"""Rules found on the public corpus (issue 20), each on a real pair: the same result drawn or
printed by another version is reproduced, another result still differs.

The plots are pairs drawn a few pixels apart as a stored and a redrawn plot of the corpus are
(``tests/fixtures/plots/README.md``, made by its ``make_plots.py``).
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from jupyterlab_xp.promote import build, cellcheck, imagehash, verify

PLOTS = Path(__file__).parent / "fixtures" / "plots"


def _png(name: str) -> str:
    return base64.b64encode((PLOTS / f"{name}.png").read_bytes()).decode()


def _image(name: str) -> list[dict[str, Any]]:
    return [{"output_type": "display_data", "data": {"image/png": _png(name)}, "metadata": {}}]


def _whole(a: str, b: str) -> float:
    """The similarity of the whole images alone (before the content crop)."""
    hashes_a = imagehash.dhashes(base64.b64decode(a))
    hashes_b = imagehash.dhashes(base64.b64decode(b))
    assert hashes_a is not None and hashes_b is not None
    return imagehash.similarity(hashes_a[0], hashes_b[0])


@pytest.mark.parametrize("name", ["hist", "lines"])
def test_a_plot_framed_a_few_pixels_apart_is_compared_by_its_content(name: str) -> None:
    # Given: a stored plot and the same cell's plot drawn by today's matplotlib (fonts a few
    # pixels taller: the whole images' hashes agree on fewer than 90 % of their bits)
    stored, redrawn = _png(f"{name}-stored"), _png(f"{name}-redrawn")
    assert _whole(stored, redrawn) < imagehash.SIMILAR

    # When: they are compared
    similarity = imagehash.png_similarity(stored, redrawn)

    # Then: cropped to their content they look alike, and the cell is the same values
    assert similarity is not None and similarity >= imagehash.SIMILAR
    entry = cellcheck.classify(_image(f"{name}-stored"), _image(f"{name}-redrawn"), 1e-6, False)
    assert entry["class"] == cellcheck.SAME and "image-hash" in entry["rules"]


def test_another_plot_of_the_same_data_still_differs() -> None:
    # Given: the stored 10-bin histogram, and the next cell's 30-bin filled density histogram
    # of the same data, drawn today
    stored, other = _png("hist-stored"), _png("hist30-redrawn")

    # Then: neither the whole images nor their content look alike
    similarity = imagehash.png_similarity(stored, other)
    assert similarity is not None and similarity < imagehash.SIMILAR
    entry = cellcheck.classify(_image("hist-stored"), _image("hist30-redrawn"), 1e-6, False)
    assert entry["class"] == cellcheck.DIFFERS
    # and a blank or unreadable image is no content to crop to
    assert imagehash.png_similarity(stored, "bm90IGEgcG5n") is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("!ls *Python*.ipynb", True),
        ("%ls data", True),
        ("# what is there\n!ls -lh\n!du -sh data", True),
        ("!find . -name '*.csv' | head", True),
        ("%%bash\nls -l\n", True),
        ("!cat data.csv", False),  # the file's content: data
        ("!ls | xargs rm", False),
        ("!find . -name '*.tmp' -delete", False),
        ("x = 1\n!ls", False),  # Python beside it
        ("files = !ls", False),  # shows nothing
        ("!pip list", False),
        ("%lsmagic", False),
    ],
)
def test_a_shell_command_that_lists_files_reports_the_machine(code: str, expected: bool) -> None:
    assert verify.lists_files(code) is expected


def _stream(text: str) -> list[dict[str, Any]]:
    return [{"output_type": "stream", "name": "stdout", "text": text}]


def test_a_file_listing_that_differs_is_environment_and_other_output_still_differs() -> None:
    # Given: a notebook saved in its repository, which listed the notebooks beside it, and a
    # cell that printed a file's first line; promoted in a folder with the notebook alone
    cells = [
        build.PlannedCell("!ls *Python*.ipynb", "cell 1"),
        build.PlannedCell("!head -1 data.csv", "cell 2"),
    ]
    cells[0].outputs = _stream("01-How-to-Run-Python-Code.ipynb 02-Basic-Python-Syntax.ipynb\n")
    cells[1].outputs = _stream("a,b\n")
    executed = {
        "cells": [
            {"cell_type": "code", "outputs": _stream(text)}
            for text in ("ls: cannot access '*Python*.ipynb': No such file or directory\n", "c\n")
        ]
    }

    # When: the outputs are compared
    result = verify.compare_outputs(cells, executed, 1e-6)

    # Then: the listing reports the machine, said so; the file's content differs
    assert result is not None
    listing, content = result["cells"]
    assert listing["class"] == cellcheck.ENVIRONMENT
    assert listing["rules"] == ["file-listing-command"] and "lists the files" in listing["note"]
    assert content["class"] == cellcheck.DIFFERS
    assert result["verified"] is False


# What scikit-learn 0.23 to 1.1 printed for load_iris() (a public notebook's stored output)
OLD_IRIS_KEYS = (
    "Keys of iris_dataset:\n dict_keys(['data', 'target', 'frame', 'target_names', 'DESCR', "
    "'feature_names', 'filename'])\n"
)
OLD_IRIS_DESCR = (
    ".. _iris_dataset:\n\nIris plants dataset\n--------------------\n\n"
    "**Data Set Characteristics:**\n\n    :Number of Instances: 150 (50 in each of three "
    "classes)\n    :Number of Attributes: 4 numeric, pre\n...\n"
)
IRIS = "from sklearn.datasets import load_iris\niris_dataset = load_iris()"


def test_a_bundled_datasets_new_fields_and_reworded_description_report_the_library() -> None:
    from sklearn.datasets import load_iris

    # Given: the keys and the start of the description of scikit-learn's iris, stored by an
    # older scikit-learn, and what today's prints
    iris = load_iris()
    cells = [
        build.PlannedCell(IRIS, "cell 1"),
        build.PlannedCell('print("Keys of iris_dataset:\\n", iris_dataset.keys())', "cell 2"),
        build.PlannedCell('print(iris_dataset["DESCR"][:193] + "\\n...")', "cell 3"),
    ]
    cells[1].outputs, cells[2].outputs = _stream(OLD_IRIS_KEYS), _stream(OLD_IRIS_DESCR)
    new = ["", f"Keys of iris_dataset:\n {iris.keys()}\n", iris["DESCR"][:193] + "\n...\n"]
    assert new[1] != OLD_IRIS_KEYS and new[2] != OLD_IRIS_DESCR
    executed = {"cells": [{"cell_type": "code", "outputs": _stream(t) if t else []} for t in new]}

    # When: the outputs are compared
    result = verify.compare_outputs(cells, executed, 1e-6)

    # Then: both report the installed library, each by its rule
    assert result is not None
    keys, description = result["cells"][1:]
    assert keys["class"] == description["class"] == cellcheck.ENVIRONMENT
    assert keys["rules"] == ["library-keys-added"]
    assert description["rules"] == ["dataset-description"]


@pytest.mark.parametrize(
    ("stored", "new", "added"),
    [
        ("dict_keys(['a', 'b'])", "dict_keys(['a', 'b', 'c'])", True),
        ("dict_keys(['a', 'b'])", "dict_keys(['b', 'a', 'c'])", False),  # another order
        ("dict_keys(['a', 'b'])", "dict_keys(['a', 'c'])", False),  # a key went
        ("n 3\ndict_keys(['a'])", "n 4\ndict_keys(['a', 'b'])", False),  # a value changed too
        ("dict_keys(['a'])", "dict_keys(['a'])", False),
    ],
)
def test_keys_added_only_when_the_new_keys_extend_the_stored_ones(
    stored: str, new: str, added: bool
) -> None:
    assert verify.keys_added(stored, new) is added


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ([IRIS, "iris_dataset.keys()"], True),
        (["import sklearn.datasets as ds\nb = ds.load_digits()", "print(b.keys())"], True),
        (["results = dict(a=1)", "results.keys()"], False),  # the notebook's own dict
        ([IRIS, "iris_dataset = {'a': 1}", "iris_dataset.keys()"], False),  # reassigned
        ([IRIS, "len(iris_dataset)"], False),
    ],
)
def test_keys_of_a_library_object_only(codes: list[str], expected: bool) -> None:
    assert verify.library_object(codes[-1], codes) is expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("print(iris['DESCR'][:193] + '\\n...')", True),
        ("boston.DESCR", True),
        ("print(iris['DESCR'])\nprint(iris['data'][:3])", False),  # data shown beside it
        ("text = iris['DESCR']", False),  # shows nothing
        ("print(len(iris['data']))", False),
    ],
)
def test_a_value_made_only_of_a_dataset_description(code: str, expected: bool) -> None:
    assert verify.shows_description(code) is expected
