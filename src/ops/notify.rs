//! Notifications: posting a failover's or failback's progress to the
//! declared targets (Slack and Teams incoming webhooks, a generic JSON
//! webhook). Each target gets its messages in order from one background
//! task, with a per-attempt timeout and bounded retries, so a target that
//! is down never holds the run up or fails it: what could not be
//! delivered is reported. Target URLs are secrets and are never shown.

use std::time::Duration;

use serde_json::{Value as J, json};
use tokio::sync::mpsc;

use crate::config::model::{Notification, NotifyFormat};

pub use super::checked::{Delivery, Moment};

/// One attempt's limit, the attempts per message, and the pause between.
const TIMEOUT: Duration = Duration::from_secs(5);
const ATTEMPTS: u32 = 3;
const BACKOFF: Duration = Duration::from_millis(500);
/// How long the end of a run waits for queued messages (beyond that they
/// are reported undelivered): the worst case of one message.
const DRAIN: Duration = Duration::from_secs(20);

/// A resolved target: its name, format and (secret) URL.
#[derive(Clone)]
pub struct Target {
    pub name: String,
    pub format: NotifyFormat,
    url: String,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Target({}, {}, url redacted)",
            self.name,
            self.format.name()
        )
    }
}

impl Target {
    pub fn new(n: &Notification, url: String) -> Target {
        Target {
            name: n.name.clone(),
            format: n.format,
            url,
        }
    }
}

/// One message: a title and facts (name, value), the same for every format.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub moment: Moment,
    pub group: String,
    pub title: String,
    pub facts: Vec<(String, String)>,
}

/// Slack escapes `&`, `<` and `>` (they are its markup, `<!channel>` pings).
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The body a target of `format` takes.
pub fn payload(format: NotifyFormat, m: &Message) -> J {
    match format {
        NotifyFormat::Slack => {
            let lines: Vec<String> = m
                .facts
                .iter()
                .map(|(k, v)| format!("*{}:* {}", slack_escape(k), slack_escape(v)))
                .collect();
            // A header's text is at most 150 characters, a section's 3000.
            let header: String = m.title.chars().take(150).collect();
            let body: String = lines.join("\n").chars().take(2900).collect();
            let mut blocks =
                vec![json!({"type": "header", "text": {"type": "plain_text", "text": header}})];
            if !body.is_empty() {
                blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": body}}));
            }
            json!({"text": slack_escape(&m.title), "blocks": blocks})
        }
        NotifyFormat::Teams => json!({
            "@type": "MessageCard",
            "@context": "http://schema.org/extensions",
            "summary": m.title,
            "themeColor": m.moment.colour(),
            "title": m.title,
            "sections": [{
                "facts": m.facts.iter().map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<_>>(),
                "markdown": false,
            }],
        }),
        NotifyFormat::Webhook => json!({
            "source": "drinfra",
            "event": m.moment.name(),
            "group": m.group,
            "title": m.title,
            "facts": m.facts.iter().map(|(k, v)| (k.clone(), J::String(v.clone()))).collect::<serde_json::Map<_, _>>(),
        }),
    }
}

/// Posts one message with retries; the attempts it took and why it failed.
async fn deliver(client: &reqwest::Client, t: &Target, m: &Message) -> (u32, Option<String>) {
    let body = payload(t.format, m);
    let mut last = String::new();
    for attempt in 1..=ATTEMPTS {
        let sent = client
            .post(&t.url)
            .timeout(TIMEOUT)
            .json(&body)
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => return (attempt, None),
            Ok(r) => {
                let code = r.status().as_u16();
                last = format!("HTTP {code}");
                // A client error will not change on a retry (bad payload,
                // revoked webhook); a throttle or a server error may.
                if (400..500).contains(&code) && code != 408 && code != 429 {
                    return (attempt, Some(last));
                }
            }
            Err(e) => {
                // Without the URL: it holds the webhook's secret.
                last = if e.is_timeout() {
                    format!("no answer within {} s", TIMEOUT.as_secs())
                } else if e.is_connect() {
                    "cannot connect".into()
                } else {
                    e.without_url().to_string()
                };
            }
        }
        if attempt < ATTEMPTS {
            tokio::time::sleep(BACKOFF * attempt).await;
        }
    }
    (ATTEMPTS, Some(last))
}

/// An HTTP client trusting the platform's certificates (webhooks are on
/// the internet, or on loopback for a local relay).
fn client() -> Option<reqwest::Client> {
    crate::provider::azure::http::real_azure().ok()
}

/// The run's notifier: one ordered queue per target, drained in the
/// background on the session's runtime.
pub struct Notifier {
    queues: Vec<mpsc::UnboundedSender<Message>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// Each delivery as it settles.
    settled: mpsc::UnboundedReceiver<Delivery>,
    settled_tx: mpsc::UnboundedSender<Delivery>,
    targets: Vec<String>,
}

impl Notifier {
    /// Starts a queue per target; `rt` runs them.
    pub fn start(rt: &tokio::runtime::Runtime, targets: &[Target]) -> Notifier {
        let (settled_tx, settled) = mpsc::unbounded_channel();
        let mut n = Notifier {
            queues: vec![],
            tasks: vec![],
            settled,
            settled_tx,
            targets: targets.iter().map(|t| t.name.clone()).collect(),
        };
        if targets.is_empty() {
            return n;
        }
        let client = client();
        for t in targets.iter().cloned() {
            let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
            let client = client.clone();
            let settled = n.settled_tx.clone();
            n.queues.push(tx);
            n.tasks.push(rt.spawn(async move {
                while let Some(m) = rx.recv().await {
                    let (attempts, error) = match &client {
                        Some(c) => deliver(c, &t, &m).await,
                        None => (0, Some("no TLS client could be set up".into())),
                    };
                    let _ = settled.send(Delivery {
                        target: t.name.clone(),
                        moment: m.moment,
                        title: m.title.clone(),
                        attempts,
                        error,
                    });
                }
            }));
        }
        n
    }

    /// The targets' names.
    pub fn targets(&self) -> &[String] {
        &self.targets
    }

    /// Queues `m` for every target; returns at once.
    pub fn post(&self, m: &Message) {
        for q in &self.queues {
            let _ = q.send(m.clone());
        }
    }

    /// The deliveries settled since the last call (never waits).
    pub fn settled(&mut self) -> Vec<Delivery> {
        let mut out = Vec::new();
        while let Ok(d) = self.settled.try_recv() {
            out.push(d);
        }
        out
    }

    /// Closes the queues and waits (at most [`DRAIN`] in all) for them
    /// to empty; the deliveries not yet taken with [`Notifier::settled`].
    pub fn finish(&mut self, rt: &tokio::runtime::Runtime) -> Vec<Delivery> {
        self.queues.clear();
        let tasks = std::mem::take(&mut self.tasks);
        let aborts: Vec<_> = tasks.iter().map(|t| t.abort_handle()).collect();
        let waited = rt.block_on(async {
            tokio::time::timeout(DRAIN, async {
                for t in tasks {
                    let _ = t.await;
                }
            })
            .await
        });
        let mut out = self.settled();
        if waited.is_err() {
            for a in aborts {
                a.abort();
            }
            out.push(Delivery {
                target: "(queued)".into(),
                moment: Moment::Complete,
                title: "messages still queued".into(),
                attempts: 0,
                error: Some(format!("gave up waiting after {} s", DRAIN.as_secs())),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg() -> Message {
        Message {
            moment: Moment::Start,
            group: "platform".into(),
            title: "Failover of platform: eastus -> westeurope <planned>".into(),
            facts: vec![("By".into(), "alice & bob".into())],
        }
    }

    #[test]
    fn slack_payload_has_a_fallback_text_and_escaped_blocks() {
        let p = payload(NotifyFormat::Slack, &msg());
        assert_eq!(
            p["text"],
            "Failover of platform: eastus -&gt; westeurope &lt;planned&gt;"
        );
        assert_eq!(p["blocks"][0]["type"], "header");
        assert_eq!(p["blocks"][1]["text"]["type"], "mrkdwn");
        assert_eq!(p["blocks"][1]["text"]["text"], "*By:* alice &amp; bob");
    }

    #[test]
    fn teams_payload_is_a_message_card_with_facts() {
        let p = payload(NotifyFormat::Teams, &msg());
        assert_eq!(p["@type"], "MessageCard");
        assert_eq!(p["@context"], "http://schema.org/extensions");
        assert_eq!(p["sections"][0]["facts"][0]["name"], "By");
        assert_eq!(p["sections"][0]["facts"][0]["value"], "alice & bob");
    }

    #[test]
    fn webhook_payload_names_the_moment_and_group() {
        let p = payload(NotifyFormat::Webhook, &msg());
        assert_eq!(p["event"], "start");
        assert_eq!(p["group"], "platform");
        assert_eq!(p["facts"]["By"], "alice & bob");
    }

    #[test]
    fn a_target_never_shows_its_url() {
        let t = Target {
            name: "chat".into(),
            format: NotifyFormat::Slack,
            url: "https://hooks.example/T000/SECRET".into(),
        };
        assert!(!format!("{t:?}").contains("SECRET"));
    }
}
