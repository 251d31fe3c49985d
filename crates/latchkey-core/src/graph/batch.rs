//! Many reads in few round trips: GETs folded into `$batch` requests of at most 20, the batches
//! sent concurrently. A sub-request that was throttled or hit an unavailable backend is read
//! again on its own (with the usual retries); paging inside a sub-response is followed.

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{error_from_response, GraphClient};
use crate::error::{Error, ErrorCode, Result};
use crate::rest::MAX_PAGES;

/// Graph's limit on sub-requests per batch.
const BATCH_LIMIT: usize = 20;

#[derive(Debug, Deserialize)]
struct BatchResponse {
    responses: Vec<SubResponse>,
}

#[derive(Debug, Deserialize)]
struct SubResponse {
    id: String,
    status: u16,
    #[serde(default)]
    body: Value,
}

impl GraphClient {
    /// GETs every path (relative to `v1.0/`, as for [`GraphClient::get_all`]) and returns each
    /// collection's items in the same order.
    pub async fn get_many(&self, paths: &[String]) -> Vec<Result<Vec<Value>>> {
        let mut tasks = tokio::task::JoinSet::new();
        for (chunk_index, chunk) in paths.chunks(BATCH_LIMIT).enumerate() {
            let client = self.clone();
            let chunk = chunk.to_vec();
            tasks.spawn(async move { (chunk_index, client.one_batch(&chunk).await) });
        }
        let mut chunks = Vec::with_capacity(tasks.len());
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok(done) => chunks.push(done),
                Err(e) => tracing::warn!(error = %e, "batch task failed"),
            }
        }
        chunks.sort_by_key(|(index, _)| *index);
        let mut results: Vec<Result<Vec<Value>>> =
            chunks.into_iter().flat_map(|(_, r)| r).collect();
        while results.len() < paths.len() {
            results.push(Err(Error::internal("a batch of reads did not complete")));
        }
        results
    }

    async fn one_batch(&self, paths: &[String]) -> Vec<Result<Vec<Value>>> {
        let requests: Vec<Value> = paths
            .iter()
            .enumerate()
            .map(|(i, path)| {
                let url = format!("/{}", path.trim_start_matches('/')).replace(' ', "%20");
                json!({ "id": i.to_string(), "method": "GET", "url": url })
            })
            .collect();
        let batch: Result<BatchResponse> = match self.url("$batch") {
            Ok(url) => {
                self.read(Method::POST, url, Some(&json!({ "requests": requests })))
                    .await
            }
            Err(e) => Err(e),
        };
        let batch = match batch {
            Ok(batch) => batch,
            Err(e) => {
                // The batch as a whole failed: say so for each of its reads.
                return paths
                    .iter()
                    .map(|_| Err(Error::new(e.code, e.message.clone())))
                    .collect();
            }
        };
        let mut results = Vec::with_capacity(paths.len());
        for (i, path) in paths.iter().enumerate() {
            let sub = batch.responses.iter().find(|r| r.id == i.to_string());
            results.push(match sub {
                None => Err(Error::new(
                    ErrorCode::UnexpectedResponse,
                    "Microsoft Graph left out an answer in a batch; try again.",
                )),
                Some(sub) => self.sub_result(path, sub).await,
            });
        }
        results
    }

    async fn sub_result(&self, path: &str, sub: &SubResponse) -> Result<Vec<Value>> {
        let status = StatusCode::from_u16(sub.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_success() {
            let mut items = sub.body["value"].as_array().cloned().unwrap_or_default();
            let mut next = sub.body["@odata.nextLink"].as_str().map(str::to_owned);
            for _ in 0..MAX_PAGES {
                let Some(link) = next.take() else {
                    return Ok(items);
                };
                let page: Value = self.get(self.next_link(&link)?).await?;
                items.extend(page["value"].as_array().cloned().unwrap_or_default());
                next = page["@odata.nextLink"].as_str().map(str::to_owned);
            }
            return Err(Error::new(
                ErrorCode::UnexpectedResponse,
                "Microsoft Graph kept sending more pages.",
            ));
        }
        if matches!(sub.status, 429 | 503 | 504) {
            // Throttled or unavailable inside the batch: read it on its own, with retries.
            return self.get_all(path).await;
        }
        Err(error_from_response(status, sub.body.to_string().as_bytes()))
    }
}
