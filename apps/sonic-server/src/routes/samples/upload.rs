//! `POST /api/samples/upload`: the file is streamed from the request into the library's
//! importer on the blocking pool, with the size limit, and probed before it is kept.

use std::io::Read;
use std::sync::mpsc;

use axum::extract::State;
use utoipa::ToSchema;

use super::SampleResponse;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Multipart};
use crate::state::{blocking, SharedState};

/// `multipart/form-data` of an upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The audio file (WAV, FLAC, MP3, Ogg, Opus/WebM, AIFF, M4A).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Display name (default: the file name).
    name: Option<String>,
    /// Category (default `Uncategorized`).
    category: Option<String>,
}

/// A `Read` over the chunks of an upload, fed from the async side: `Some(chunk)`, then
/// `None` at the end of the file. A failed upload (too large, cut off, timed out) arrives as
/// an error, and a feed that stops without its end (the request was dropped) reads as one,
/// so the import fails and keeps nothing.
struct ChunkReader {
    chunks: mpsc::Receiver<std::io::Result<Option<Vec<u8>>>>,
    current: Vec<u8>,
    offset: usize,
    ended: bool,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.offset == self.current.len() {
            if self.ended {
                return Ok(0);
            }
            match self.chunks.recv() {
                Ok(Ok(Some(chunk))) => {
                    self.current = chunk;
                    self.offset = 0;
                }
                Ok(Ok(None)) => self.ended = true,
                Ok(Err(e)) => return Err(e),
                Err(_) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the upload stopped before its end",
                    ))
                }
            }
        }
        let n = buf.len().min(self.current.len() - self.offset);
        buf[..n].copy_from_slice(&self.current[self.offset..self.offset + n]);
        self.offset += n;
        Ok(n)
    }
}

/// Upload a sample: streamed to a temp file with a size limit, probed, and refused (415,
/// nothing kept) when it is not audio. Stored as sent.
#[utoipa::path(post, path = "/api/samples/upload", tag = "samples",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 200, body = SampleResponse), (status = "default", body = ErrorBody)))]
pub(super) async fn upload_sample(
    State(state): State<SharedState>,
    Multipart(mut form): Multipart,
) -> ApiResult<Json<SampleResponse>> {
    let mut name = None;
    let mut category = None;
    let mut imported = None;
    // The name and category the import was given (those that came before the file).
    let mut given = None;
    while let Some(mut field) = form.next_field().await? {
        match field.name().unwrap_or("") {
            "name" => name = Some(field.text().await?),
            "category" => category = Some(field.text().await?),
            "file" => {
                let file_name = field.file_name().unwrap_or("upload").to_string();
                let (tx, rx) = mpsc::sync_channel::<std::io::Result<Option<Vec<u8>>>>(8);
                let library = state.clone();
                let (n, c) = (name.clone(), category.clone());
                given = Some((name.clone(), category.clone()));
                let import = tokio::task::spawn_blocking(move || {
                    let reader = ChunkReader {
                        chunks: rx,
                        current: Vec::new(),
                        offset: 0,
                        ended: false,
                    };
                    library
                        .samples
                        .import_reader(reader, &file_name, n.as_deref(), c.as_deref())
                });
                let mut failure = None;
                loop {
                    let item = match field.chunk().await {
                        Ok(Some(chunk)) => Ok(Some(chunk.to_vec())),
                        Ok(None) => Ok(None),
                        Err(e) => {
                            failure = Some(ApiError::from(e));
                            Err(std::io::Error::other("the upload was cut off"))
                        }
                    };
                    let stop = !matches!(item, Ok(Some(_)));
                    let tx = tx.clone();
                    // The importer stops reading past the size limit; then sending fails.
                    let sent = tokio::task::spawn_blocking(move || tx.send(item))
                        .await
                        .map_err(|e| ApiError::internal(e.to_string()))?;
                    if stop || sent.is_err() {
                        break;
                    }
                }
                drop(tx);
                let result = import
                    .await
                    .map_err(|e| ApiError::internal(e.to_string()))?;
                if let Some(failure) = failure {
                    // The import saw the error and kept nothing; report the upload's problem.
                    return Err(failure);
                }
                let meta = result?;
                imported = Some(meta);
            }
            _ => {}
        }
    }
    let mut meta = imported
        .ok_or_else(|| ApiError::bad_request("MISSING_FILE", "the form has no `file` field"))?;
    // `name`/`category` may come after the file in the form.
    if given != Some((name.clone(), category.clone())) {
        let sample_id = meta.id.clone();
        meta = blocking(move || {
            Ok(state
                .samples
                .update(&sample_id, name.as_deref(), category.as_deref())?)
        })
        .await?;
    }
    Ok(Json(SampleResponse {
        success: true,
        message: format!("Uploaded {}", meta.name),
        sample: meta,
    }))
}
