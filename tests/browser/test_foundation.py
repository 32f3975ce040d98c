"""The foundation in a real browser: sign-in per role, errors, language switch, keyboard, accessibility."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot_path

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

WELCOME = {"da": "Velkommen", "en": "Welcome"}


def switch_language(page: Page, language: str) -> None:
    label = {"en": "English", "da": "Dansk"}[language]
    page.get_by_role("button", name=label).click()
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.mark.parametrize(
    ("role", "intro"),
    [
        ("hr", "Du registrerer støttede pladser for Socialforvaltningen"),
        ("bif", "Du følger kvoteopfyldelsen i alle forvaltninger"),
        ("admin", "Du administrerer brugere, forvaltninger og tidsplaner"),
    ],
)
def test_each_role_signs_in_and_sees_its_start_page(page, browser_user, browser_login, role, intro):
    user = browser_user(role)
    browser_login(page, user)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Velkommen")
    expect(page.locator("main")).to_contain_text(intro)
    expect(page.locator(".portal-user")).to_contain_text(user.name)
    expect(page.get_by_role("button", name="Log ud").first).to_be_visible()
    if role == "hr":
        menu = page.get_by_role("navigation", name="Hovedmenu", exact=True)
        expect(menu.get_by_role("link", name="Forside")).to_have_attribute("aria-current", "page")


def test_signing_out_returns_to_the_sign_in_page_with_a_message(page, browser_user, browser_login):
    browser_login(page, browser_user("bif"))
    page.get_by_role("button", name="Log ud").first.click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator(".alert-info")).to_contain_text("Du er logget ud.")


def test_wrong_password_shows_a_danish_error_next_to_the_field(page, browser_user, assert_accessible):
    user = browser_user("hr")
    page.goto("/login")
    page.fill("#email", user.email)
    page.fill("#password", "not the password")
    page.get_by_role("button", name="Log ind").click()

    message = page.locator("#password-error")
    expect(message).to_contain_text("Forkert e-mail eller adgangskode.")
    password = page.locator("#password")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_attribute("aria-describedby", re.compile(r"\bpassword-error\b"))
    # The message sits in the password field's form group, right above the input.
    expect(page.locator(".form-group.form-error").filter(has=password)).to_contain_text("Forkert e-mail")
    # The summary at the top links to the field and has focus, so screen readers announce it.
    summary = page.locator("[data-module=error-summary]")
    expect(summary).to_be_focused()
    summary.get_by_role("link").click()
    expect(password).to_be_focused()
    assert_accessible(page)


def test_empty_form_names_every_missing_field(page):
    page.goto("/login")
    page.get_by_role("button", name="Log ind").click()
    expect(page.locator("#email-error")).to_contain_text("Skriv din e-mailadresse.")
    expect(page.locator("#password-error")).to_contain_text("Skriv din adgangskode.")
    expect(page.locator("[data-module=error-summary] li")).to_have_count(2)


def test_language_switch_to_english_and_back(page, browser_user, browser_login):
    user = browser_user("hr")
    page.goto("/login")
    switch_language(page, "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.fill("#email", user.email)
    page.fill("#password", user.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page.locator("main")).to_contain_text("You register supported places for Socialforvaltningen")
    expect(page.get_by_role("button", name="Sign out").first).to_be_visible()

    switch_language(page, "da")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Velkommen")
    expect(page.get_by_role("button", name="Log ud").first).to_be_visible()


def test_keyboard_only_sign_in(page, browser_user):
    user = browser_user("hr")
    page.goto("/login")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Gå til sidens indhold")
    for _ in range(10):
        if page.evaluate("document.activeElement.id") == "email":
            break
        page.keyboard.press("Tab")
    expect(page.locator("#email")).to_be_focused()
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(user.password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Velkommen")


def test_skip_link_moves_focus_to_the_content(page):
    page.goto("/login")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#email")).to_be_focused()


def test_mobile_menu_opens_and_closes_with_the_keyboard(page, browser_user, browser_login):
    browser_login(page, browser_user("hr"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    menu_button = page.get_by_role("button", name="Menu")
    expect(menu_button).to_be_visible()
    menu_button.focus()
    page.keyboard.press("Enter")
    drawer = page.get_by_role("dialog", name="Menu")
    expect(drawer).to_be_visible()
    expect(drawer.get_by_role("link", name="Forside")).to_be_visible()
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()


@pytest.mark.parametrize("language", ["da", "en"])
def test_pages_have_no_accessibility_violations(
    page, browser_user, browser_login, assert_accessible, language
):
    page.goto("/login")
    if language == "en":
        switch_language(page, "en")
    assert_accessible(page)

    page.goto("/no-such-page")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        {"da": "Siden findes ikke", "en": "Page not found"}[language]
    )
    assert_accessible(page)

    for role in ("hr", "bif", "admin"):
        context_page = page.context.new_page()
        user = browser_user(role)
        browser_login(context_page, user)
        expect(context_page.locator("html")).to_have_attribute("lang", language)
        expect(context_page.get_by_role("heading", level=1)).to_contain_text(WELCOME[language])
        assert_accessible(context_page)
        context_page.goto("/no-such-page")
        assert_accessible(context_page)
        if role == "hr":
            context_page.goto("/")
            context_page.screenshot(path=str(screenshot_path(f"start-{role}-{language}")), full_page=True)
        context_page.get_by_role("button", name={"da": "Log ud", "en": "Sign out"}[language]).first.click()
        context_page.close(run_before_unload=True)


def test_the_accessibility_check_finds_problems(page, assert_accessible):
    page.goto("/login")
    page.evaluate("document.querySelector('label[for=email]').remove()")
    with pytest.raises(pytest.fail.Exception, match=r"label \(critical\)"):
        assert_accessible(page)


def test_a_signed_out_visitor_is_asked_to_sign_in_and_then_taken_back(page, browser_user):
    user = browser_user("bif")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    expect(page.locator(".alert-info")).to_contain_text("Log ind for at se siden.")
    page.fill("#email", user.email)
    page.fill("#password", user.password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Velkommen")
