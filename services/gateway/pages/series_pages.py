"""Entrypoints: residents' pages of a weekly group (a series): the series and its enrolment form,
and a resident's own enrolment by its code (not coming to one session, or to any)."""


class SeriesPages:
    pass
