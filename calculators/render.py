"""HTML for the calculator pages: the forms, and the result panels their declarations draw.

Rendered by the same Python at build time and in the browser, so the first
paint and every live update agree. Every value that came from a user passes
through `html.escape`; nothing here builds markup from unescaped input.
"""

from .markup import escape

from .inputs import CUSTOM_DEFAULTS, CUSTOM_FIELDS, carried_fields, option_groups, options
from .pages import page as find_page


def render_result(page: str, result: dict) -> str:
    """The result panel of a page (its declaration's `render`)."""
    return find_page(page).render(result)


def _field(field, label, kind, value, choices, groups=None) -> str:
    groups = groups or {}
    ident = f"f-{field}"
    error = f"<p class=\"calc-error\" id=\"e-{field}\" aria-live=\"polite\"></p>"
    described = f"aria-describedby=\"e-{field}\""
    if kind == "checkbox":
        checked = " checked" if value == "on" else ""
        return (f"<div class=\"calc-field calc-check\"><input type=\"checkbox\" id=\"{ident}\" name=\"{field}\" "
                f"{described}{checked}><label for=\"{ident}\">{escape(label)}</label>{error}</div>")
    if kind in choices:
        def option(key, text):
            return f"<option value=\"{escape(key)}\"{' selected' if key == value else ''}>{escape(text)}</option>"

        if kind in groups:
            opts = "".join(f"<optgroup label=\"{escape(heading)}\">" + "".join(option(*c) for c in listed)
                           + "</optgroup>" for heading, listed in groups[kind])
        else:
            opts = "".join(option(key, text) for key, text in choices[kind])
        control = f"<select id=\"{ident}\" name=\"{field}\" {described}>{opts}</select>"
    else:
        # A token count takes a letter ("128k"), so its keyboard keeps letters.
        mode = {"number": "numeric", "tokens": "text"}.get(kind, "decimal")
        control = (f"<input type=\"text\" inputmode=\"{mode}\" id=\"{ident}\" name=\"{field}\" "
                   f"value=\"{escape(value)}\" {described} autocomplete=\"off\">")
    return f"<div class=\"calc-field\"><label for=\"{ident}\">{escape(label)}</label>{control}{error}</div>"


def render_form(page: str) -> str:
    """The page's form with its default values; the JS fills it from the URL, or from the inputs the user
    chose on another calculator (each carried input is marked with the name it travels under)."""
    declared = find_page(page)
    choices, groups = {**options(), **declared.choices()}, option_groups()
    fields = [_field(f.name, f.label, f.kind, f.default, choices, groups) for f in declared.fields]
    if "model" in declared.defaults:
        custom = "".join(_field(field, field.replace("_", " ").capitalize(), "number", CUSTOM_DEFAULTS[field], {})
                         for field in CUSTOM_FIELDS)
        custom += _field("tie_embeddings", "Tied input and output embeddings", "checkbox", "", {})
        fields.insert(1, f"<fieldset class=\"calc-group\" data-when-model=\"custom\" hidden>"
                         f"<legend>Custom architecture (llama-style)</legend>{custom}</fieldset>")
        fields.insert(2, "<div class=\"calc-field calc-group\" data-when-model=\"config\" hidden>"
                         "<label for=\"f-config\">config.json</label>"
                         "<textarea id=\"f-config\" name=\"config\" rows=\"8\" spellcheck=\"false\" "
                         "aria-describedby=\"e-config\"></textarea>"
                         "<p class=\"calc-error\" id=\"e-config\" aria-live=\"polite\"></p>"
                         # The one request the site may make to another host, and only when this is pressed.
                         "<div class=\"calc-hub\"><label for=\"f-hub\">Or a Hugging Face model id</label>"
                         "<input type=\"text\" id=\"f-hub\" placeholder=\"Qwen/Qwen2.5-7B-Instruct\" "
                         "autocomplete=\"off\" spellcheck=\"false\" aria-describedby=\"e-hub\">"
                         "<button type=\"button\" class=\"calc-hub-fetch md-button\">Fetch its config.json from "
                         "huggingface.co</button>"
                         "<p class=\"calc-hub-status\" id=\"e-hub\" aria-live=\"polite\"></p></div></div>")
    form = f"<form class=\"calc-form\" data-calculator=\"{page}\" novalidate>{''.join(fields)}</form>"
    for field, name in carried_fields(declared).items():
        form = form.replace(f" name=\"{field}\"", f" name=\"{field}\" data-carry=\"{name}\"", 1)
    return form.replace(" name=\"config\"", " name=\"config\" data-carry=\"config\"", 1)
