"""The API's interactive documentation (/api/docs): Swagger UI from the app's own files under the strict
Content-Security-Policy (the `page` fixture fails on a CSP violation, a JavaScript error or a missing
file), showing every operation of the generated document and calling the API with a person's token."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_person_makes_a_token_and_tries_the_api_on_its_page(page, browser_user, browser_login):
    browser_login(page, browser_user("hr", "SOF"))
    page.goto("/tokens/")
    page.fill("#name", "Afprøvning")
    page.get_by_role("button", name="Opret nøgle").click()
    secret = page.locator("code").first.inner_text()
    page.get_by_role("link", name="API-dokumentation").click()
    expect(page).to_have_url("/api/docs")

    document = page.request.get("/api/v1/openapi.json").json()
    operations = [(method, path) for path, methods in document["paths"].items() for method in methods]
    assert len(operations) == 12  # with the compliance figures and the units import (issue 15)
    for method, path in operations:
        expect(page.locator(f'.opblock-{method} .opblock-summary-path[data-path="{path}"]')).to_be_visible()

    page.locator(".auth-wrapper .authorize").click()
    page.locator(".auth-container input").fill(secret)
    page.locator(".auth-btn-wrapper .authorize").click()
    page.locator(".auth-btn-wrapper .btn-done").click()
    operation = page.locator("#operations-Forvaltninger_og_ordninger-listDepartments")
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    answer = operation.locator(".live-responses-table .response")
    expect(answer.locator(".response-col_status")).to_have_text("200")
    expect(answer.locator(".response-col_description")).to_contain_text('"code": "SOF"')
