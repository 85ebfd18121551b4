//! A cookie-keeping HTTP client that does not follow redirects, so tests can see them.

use reqwest::redirect::Policy;
use reqwest::{Client, Response};

pub struct TestClient {
    base: String,
    pub http: Client,
}

/// The CSRF token in a page's form (`name="csrf_token" value="…"`).
pub fn csrf_token_in(html: &str) -> Option<String> {
    let start = html.find("name=\"csrf_token\" value=\"")? + "name=\"csrf_token\" value=\"".len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

impl TestClient {
    pub fn new(base: &str) -> Self {
        let http = Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap();
        Self {
            base: base.to_owned(),
            http,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.http
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Signs in through the form, as a browser would. Returns the response to the POST.
    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        let (_, page) = self.get_text("/sign-in").await;
        let token = csrf_token_in(&page).expect("the sign-in form has a CSRF token");
        self.post_form(
            "/sign-in",
            &[
                ("email", email),
                ("password", password),
                ("csrf_token", &token),
            ],
        )
        .await
    }
}
