"""Reading a CSV of surplus splits: scales, weights, a byte order mark, and errors that
name the line (the header is line 1) and the field."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from budgets.surplus_csv import SplitFileError, load_splits, read_splits

pytestmark = pytest.mark.pure


def write(tmp_path: Path, text: str | bytes) -> str:
    path = tmp_path / "splits.csv"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return str(path)


def error_of(tmp_path: Path, text: str | bytes) -> str:
    with pytest.raises(SplitFileError) as raised:
        load_splits(write(tmp_path, text))
    return str(raised.value)


def test_one_row_per_voter_in_per_cent(tmp_path):
    split = load_splits(write(tmp_path, "expansion,solidarity,reserves\n50,30,20\n0,100,0\n"))

    assert split.destinations == ("expansion", "solidarity", "reserves")
    assert split.scale == 100
    assert split.reports.tolist() == [[50, 30, 20], [0, 100, 0]]
    assert split.weights.tolist() == [1, 1]
    assert split.voters == 2


def test_per_mille_when_the_first_row_sums_to_1000(tmp_path):
    split = load_splits(write(tmp_path, "a,b\n333,667\n1000,0\n"))

    assert split.scale == 1000
    assert split.reports.tolist() == [[333, 667], [1000, 0]]


def test_a_weight_column_anywhere_counts_a_row_as_that_many_voters(tmp_path):
    split = load_splits(write(tmp_path, "a,weight,b\n60,3,40\n10,1,90\n"))

    assert split.destinations == ("a", "b")
    assert split.reports.tolist() == [[60, 40], [10, 90]]
    assert split.weights.tolist() == [3, 1]
    assert split.voters == 4


def test_a_byte_order_mark_crlf_spaces_quotes_and_blank_lines_are_accepted(tmp_path):
    text = '\ufeff"expansion" , solidarity\r\n 70 ,"30"\r\n\r\n25,75\r\n\r\n'

    split = load_splits(write(tmp_path, text.encode("utf-8")))

    assert split.destinations == ("expansion", "solidarity")
    assert split.reports.tolist() == [[70, 30], [25, 75]]


def test_a_text_source_keeps_its_byte_order_mark_and_it_is_dropped():
    split = read_splits(io.StringIO("\ufeffa,b\n40,60\n"))

    assert split.destinations == ("a", "b")


def test_a_single_destination_takes_every_row_of_100(tmp_path):
    split = load_splits(write(tmp_path, "reserves\n100\n100\n"))

    assert split.reports.tolist() == [[100], [100]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the file is empty"),
        ("\n\n", "line 1: the file is empty"),
        ("weight\n1\n", "line 1: no destinations: the header names the destinations"),
        ("a,x,x\n", 'line 1: destination "x" twice'),
        ("a,,b\n", "line 1: column 2 has no name"),
        ("weight,a,weight\n", 'line 1: column "weight" twice'),
        ("a,b\n", "line 2: no voters: the file has a header and no rows"),
        ("a,b\n\n\n", "line 4: no voters"),
        ("a,b\n50,50\n50,50,0\n", "line 3: expected 2 fields, found 3"),
        ("a,b,weight\n50,50\n", "line 2: expected 3 fields, found 2"),
        ("a,b\n50,40\n", "line 2: the shares sum to 90; every row must sum to 100, or every"),
        ("a,b\n50,50\n30,60\n", "line 3: the shares sum to 90, not 100"),
        ("a,b\n500,500\n50,50\n", "line 3: the shares sum to 100, not 1000"),
        ("a,b\n50,50\n60,40\n\n20,90\n", "line 5: the shares sum to 110, not 100"),
        ("a,b\n50,50\n150,0\n", 'line 3, field "a": "150" is more than 100'),
        ("a,b\n0,1500\n", 'line 2, field "b": "1500" is more than 1000'),
    ],
)
def test_errors_name_the_line(tmp_path, text, message):
    assert error_of(tmp_path, text).startswith(message)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("105,-5", 'field "expansion": "-5" is negative'),
        ("50,", 'field "expansion": the field is empty'),
        ("50.5,49.5", 'field "reserves": "50.5" is not a whole number'),
        ("50,+50", 'field "expansion": "+50" is not a whole number'),
        ("50,5e1", 'field "expansion": "5e1" is not a whole number'),
        ("50,٥٠", 'field "expansion": "٥٠" is not a whole number'),
        ("0," + "1" * 30, 'field "expansion": "' + "1" * 30 + '" is more than 100'),
    ],
)
def test_a_bad_share_names_its_line_and_field(tmp_path, row, message):
    text = f"reserves,expansion\n60,40\n70,30\n{row}\n"

    assert error_of(tmp_path, text) == f"line 4, {message}"


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        ("0", '"0" is not a whole number of at least 1'),
        ("-2", '"-2" is not a whole number of at least 1'),
        ("1.5", '"1.5" is not a whole number of at least 1'),
        ("", '"" is not a whole number of at least 1'),
        ("9" * 40, "the weights add up to more than 1,000,000,000,000,000 voters"),
    ],
)
def test_a_bad_weight_names_its_line(tmp_path, weight, message):
    text = f"a,b,weight\n60,40,2\n50,50,{weight}\n"

    assert error_of(tmp_path, text) == f'line 3, field "weight": {message}'


def test_weights_that_add_up_past_the_limit_are_refused_where_they_cross_it(tmp_path):
    text = "a,weight\n100,600000000000000\n100,400000000000000\n100,1\n"

    assert error_of(tmp_path, text).startswith('line 4, field "weight": the weights add up')


def test_bytes_that_are_not_utf8_are_named_by_their_line(tmp_path):
    rows = "".join("50,50\n" for _ in range(5000))  # past the decoder's first buffer
    text = b"a,b\n" + rows.encode() + b"50,\xff50\n"

    assert error_of(tmp_path, text) == 'line 5002, field "b": the line is not UTF-8 text'


def test_a_header_that_is_not_utf8_is_refused(tmp_path):
    assert error_of(tmp_path, b"caf\xe9,b\n50,50\n") == "line 1: the line is not UTF-8 text"


def test_a_field_past_the_csv_modules_limit_is_a_line_that_cannot_be_read(tmp_path):
    text = "a,b\n50,50\n" + "0" * 200_000 + "50,50\n"

    assert error_of(tmp_path, text).startswith("line 3: the line cannot be read: field larger")
