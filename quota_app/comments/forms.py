"""The shortfall explanation form."""

from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length

from ..i18n import _
from .services import MAX_COMMENT_LENGTH


class CommentForm(FlaskForm):
    text = TextAreaField(
        _("Kommentar"),
        validators=[Length(max=MAX_COMMENT_LENGTH, message=_("Kommentaren må højst være %(max)d tegn."))],
        description=_(
            "Hvorfor er forvaltningen under måltallet, og hvad gøres der? Teksten kommer med i "
            "halvårsrapporten. Skriv aldrig navne eller CPR-numre på borgere."
        ),
    )
    submit = SubmitField(_("Gem kommentar"))
