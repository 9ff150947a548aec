"""Account forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from prep.auth.models import Role

MIN_PASSWORD = 10


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)], filters=[_strip])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me logged in on this device")
    submit = SubmitField("Log in")


class RegisterForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)], filters=[_strip])
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)], filters=[_strip])
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200, message=f"Use at least {MIN_PASSWORD} characters.")]
    )
    confirm = PasswordField("Repeat the password", validators=[DataRequired(), EqualTo("password", message="The passwords differ.")])
    submit = SubmitField("Create my account")


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        "New password", validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200, message=f"Use at least {MIN_PASSWORD} characters.")]
    )
    confirm = PasswordField("Repeat the new password", validators=[DataRequired(), EqualTo("password", message="The passwords differ.")])
    submit = SubmitField("Change password")

    def validate_password(self, field):
        if field.data and field.data == self.current.data:
            raise ValidationError("Choose a password different from the current one.")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(r.value, r.value.title()) for r in Role])
    submit = SubmitField("Change role")


class ResetPasswordForm(FlaskForm):
    submit = SubmitField("Reset password")


class ActiveForm(FlaskForm):
    submit = SubmitField("Save")


class TokenForm(FlaskForm):
    label = StringField("What is it for?", validators=[Length(max=100)], filters=[_strip])
    submit = SubmitField("Create token")
