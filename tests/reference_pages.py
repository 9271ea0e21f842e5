"""Small slices of the reference corpus for the bench tests: the first pages of each split, in path order."""

from generator.bench.reference import corpus


def first_pages(sources, train: int, held_out: int = 1, python_scale: int = 5) -> list:
    """Of each source, the first `train` train pages and `held_out` validation and test pages; the Python docs,
    the largest source, give `python_scale` times as many."""
    chosen = []
    for source in sources:
        scale = python_scale if source.package == "python3.11-doc" else 1
        taken = {"train": train * scale, "validation": held_out * scale, "test": held_out * scale}
        for path in corpus.document_paths(source):
            name = f"{source.package}/{path}"
            if taken[corpus.split_of(name)]:
                taken[corpus.split_of(name)] -= 1
                chosen.append(name)
    return chosen
