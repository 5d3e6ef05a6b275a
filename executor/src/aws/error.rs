//! AWS errors in paved's terms: throttling, 5xx answers, timeouts and network failures are
//! transient (the executor retries them with backoff); everything else is permanent and is told
//! to the requester in one sentence with AWS's own code and words.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::provider::ProviderError;

/// Codes AWS uses for "slow down" and "try again", across services.
const TRANSIENT_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
    "BandwidthLimitExceeded",
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalError",
    "InternalFailure",
    "InternalServerError",
    "InternalServiceError",
    "InternalServiceErrorException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "ServiceException",
    "ConcurrentModificationException",
    "OperationAborted",
    "IDPCommunicationError",
    "WAFUnavailableEntityException",
];

/// The parts of an SDK error paved looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub code: Option<String>,
    pub message: Option<String>,
    pub status: Option<u16>,
    /// The request never got an answer (connection, timeout, construction).
    pub no_answer: Option<String>,
}

impl Failure {
    pub fn of<E>(err: &SdkError<E, HttpResponse>) -> Failure
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        match err {
            SdkError::ServiceError(se) => Failure {
                code: se.err().code().map(str::to_string),
                message: se.err().message().map(str::to_string),
                status: Some(se.raw().status().as_u16()),
                no_answer: None,
            },
            SdkError::ResponseError(re) => Failure {
                code: None,
                message: Some("the answer could not be read".into()),
                status: Some(re.raw().status().as_u16()),
                no_answer: None,
            },
            SdkError::TimeoutError(_) => Failure {
                code: None,
                message: None,
                status: None,
                no_answer: Some("timed out".into()),
            },
            SdkError::DispatchFailure(d) => Failure {
                code: None,
                message: None,
                status: None,
                no_answer: Some(if d.is_io() || d.is_timeout() {
                    "could not be reached".into()
                } else {
                    format!("could not be reached ({err})")
                }),
            },
            SdkError::ConstructionFailure(_) => Failure {
                code: None,
                message: Some(format!(
                    "the request could not be built: {}",
                    source_chain(err)
                )),
                status: None,
                no_answer: None,
            },
            _ => Failure {
                code: None,
                message: Some(source_chain(err)),
                status: None,
                no_answer: None,
            },
        }
    }

    pub fn transient(&self) -> bool {
        if self.no_answer.is_some() {
            return true;
        }
        if let Some(code) = &self.code
            && TRANSIENT_CODES.contains(&code.as_str())
        {
            return true;
        }
        matches!(self.status, Some(429) | Some(500..=599))
    }

    /// The resource does not exist (any service's way of saying so).
    pub fn not_found(&self) -> bool {
        let code = self.code.as_deref().unwrap_or("");
        let message = self.message.as_deref().unwrap_or("").to_ascii_lowercase();
        code.contains("NotFound")
            || code.starts_with("NoSuch")
            || code.to_ascii_lowercase().contains("nonexistent")
            || code.ends_with("NotFoundFault")
            || matches!(
                code,
                "WAFNonexistentItemException"
                    | "EntityNotFoundException"
                    | "ResourceNotFoundException"
                    | "NotFoundException"
            )
            || (status_is(self.status, 404) && code.is_empty())
            // ECS says "Unable to describe task definition" for a family it does not know.
            || (code == "ClientException" && message.contains("unable to describe"))
            // Validation errors that say the named thing is missing (moto's "RecordNotFound",
            // Athena's "... Does Not Exist").
            || ((code.contains("Validation") || code.contains("InvalidParameter") || code.contains("InvalidRequest"))
                && (message.contains("does not exist") || message.replace(' ', "").contains("notfound")))
    }

    pub fn code_is(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }

    /// One sentence for the thread.
    pub fn sentence(&self, doing: &str) -> String {
        if let Some(why) = &self.no_answer {
            return format!("AWS {why} while paved tried to {doing}; paved will retry.");
        }
        let code = self
            .code
            .as_deref()
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        let status = match (self.code.is_none(), self.status) {
            (true, Some(s)) => format!(" (HTTP {s})"),
            _ => String::new(),
        };
        let message = self
            .message
            .as_deref()
            .map(|m| m.trim().trim_end_matches('.'))
            .filter(|m| !m.is_empty());
        match message {
            Some(m) => format!("AWS refused to {doing}{code}{status}: {m}."),
            None => format!("AWS refused to {doing}{code}{status}."),
        }
    }

    pub fn into_error(self, doing: &str) -> ProviderError {
        let sentence = self.sentence(doing);
        if self.transient() {
            ProviderError::transient(sentence)
        } else {
            ProviderError::permanent(sentence)
        }
    }
}

fn status_is(status: Option<u16>, want: u16) -> bool {
    status == Some(want)
}

fn source_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        out.push_str(": ");
        out.push_str(&e.to_string());
        cur = e.source();
    }
    out
}

/// Turns SDK results into provider results at every call site.
pub(crate) trait AwsResult<T> {
    /// Any error becomes a provider error describing `doing`.
    fn aws(self, doing: &str) -> Result<T, ProviderError>;
    /// "Not found" becomes `None`.
    fn found(self, doing: &str) -> Result<Option<T>, ProviderError>;
    /// "Not found" is success (deleting what is already gone).
    fn gone(self, doing: &str) -> Result<(), ProviderError>;
}

impl<T, E> AwsResult<T> for Result<T, SdkError<E, HttpResponse>>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    fn aws(self, doing: &str) -> Result<T, ProviderError> {
        self.map_err(|e| Failure::of(&e).into_error(doing))
    }

    fn found(self, doing: &str) -> Result<Option<T>, ProviderError> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(e) => {
                let f = Failure::of(&e);
                if f.not_found() {
                    Ok(None)
                } else {
                    Err(f.into_error(doing))
                }
            }
        }
    }

    fn gone(self, doing: &str) -> Result<(), ProviderError> {
        self.found(doing).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(code: Option<&str>, status: Option<u16>, message: Option<&str>) -> Failure {
        Failure {
            code: code.map(str::to_string),
            message: message.map(str::to_string),
            status,
            no_answer: None,
        }
    }

    #[test]
    fn throttling_and_server_errors_are_transient() {
        assert!(
            f(
                Some("ThrottlingException"),
                Some(400),
                Some("Rate exceeded")
            )
            .transient()
        );
        assert!(f(Some("RequestLimitExceeded"), Some(503), None).transient());
        assert!(f(None, Some(503), None).transient());
        assert!(f(None, Some(429), None).transient());
        assert!(
            Failure {
                code: None,
                message: None,
                status: None,
                no_answer: Some("timed out".into())
            }
            .transient()
        );
        assert!(!f(Some("InvalidParameterCombination"), Some(400), Some("bad")).transient());
        assert!(!f(Some("AccessDenied"), Some(403), None).transient());
    }

    #[test]
    fn not_found_is_recognised_across_services() {
        assert!(f(Some("InvalidVpcID.NotFound"), Some(400), None).not_found());
        assert!(f(Some("DBInstanceNotFound"), Some(404), None).not_found());
        assert!(f(Some("NoSuchBucket"), Some(404), None).not_found());
        assert!(f(Some("NoSuchEntity"), Some(404), None).not_found());
        assert!(
            f(
                Some("AWS.SimpleQueueService.NonExistentQueue"),
                Some(400),
                None
            )
            .not_found()
        );
        assert!(f(Some("ResourceNotFoundException"), Some(400), None).not_found());
        assert!(
            f(
                Some("ValidationError"),
                Some(400),
                Some("Rule x does not exist")
            )
            .not_found()
        );
        assert!(!f(Some("ValidationError"), Some(400), Some("bad name")).not_found());
        assert!(
            f(
                Some("ValidationException"),
                Some(400),
                Some("RecordNotFound")
            )
            .not_found()
        );
        assert!(
            f(
                Some("InvalidRequestException"),
                Some(400),
                Some("Athena Resource, arn:x Does Not Exist.")
            )
            .not_found()
        );
        assert!(
            !f(
                Some("InvalidRequestException"),
                Some(400),
                Some("bad configuration")
            )
            .not_found()
        );
    }

    #[test]
    fn the_sentence_carries_the_code_and_the_message() {
        let s = f(
            Some("InvalidParameterValue"),
            Some(400),
            Some("Invalid DB instance class: db.x9.huge."),
        )
        .sentence("create aws_db_instance.main");
        assert_eq!(
            s,
            "AWS refused to create aws_db_instance.main (InvalidParameterValue): Invalid DB instance class: db.x9.huge."
        );
        let s = f(None, Some(502), None).sentence("read aws_vpc.main");
        assert_eq!(s, "AWS refused to read aws_vpc.main (HTTP 502).");
    }
}
