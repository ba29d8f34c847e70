//! Core errors as Python exceptions (one class per variant, mapped here and
//! nowhere else), and the one helper that runs slow calls without the GIL.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use hubmatch::solve::CancelFlag;

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyKeyboardInterrupt};
use pyo3::prelude::*;

create_exception!(
    hubmatch,
    HubmatchError,
    PyException,
    "Base class of every error hubmatch raises."
);
create_exception!(
    hubmatch,
    InvalidInputError,
    HubmatchError,
    "The input breaks a rule; `kind`, `record` and `field` say where."
);
create_exception!(
    hubmatch,
    ParseError,
    HubmatchError,
    "The input could not be parsed (malformed JSON or CSV)."
);
create_exception!(
    hubmatch,
    FormatError,
    HubmatchError,
    "The document declares a format this version does not read."
);
create_exception!(
    hubmatch,
    HubmatchIOError,
    HubmatchError,
    "Reading or writing a file failed."
);
create_exception!(
    hubmatch,
    NumericRangeError,
    HubmatchError,
    "The numbers are too large to compute exactly in 64-bit integers."
);
create_exception!(
    hubmatch,
    InfeasibleError,
    HubmatchError,
    "A flow network has no feasible flow."
);
create_exception!(
    hubmatch,
    CertificateError,
    HubmatchError,
    "A solution failed its optimality certificate (a bug: please report it)."
);
create_exception!(
    hubmatch,
    InternalError,
    HubmatchError,
    "A bug inside hubmatch (a Rust panic), caught."
);

/// Adds the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("HubmatchError", py.get_type::<HubmatchError>())?;
    m.add("InvalidInputError", py.get_type::<InvalidInputError>())?;
    m.add("ParseError", py.get_type::<ParseError>())?;
    m.add("FormatError", py.get_type::<FormatError>())?;
    m.add("HubmatchIOError", py.get_type::<HubmatchIOError>())?;
    m.add("NumericRangeError", py.get_type::<NumericRangeError>())?;
    m.add("InfeasibleError", py.get_type::<InfeasibleError>())?;
    m.add("CertificateError", py.get_type::<CertificateError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    Ok(())
}

/// The exception for a core error.
pub fn to_py(py: Python<'_>, e: hubmatch::Error) -> PyErr {
    use hubmatch::Error as E;
    let message = e.to_string();
    match e {
        E::Invalid(v) => {
            let err = InvalidInputError::new_err(message);
            let value = err.value(py);
            // Attributes for programs; the message is for people.
            let _ = value.setattr("kind", v.kind.to_string());
            let _ = value.setattr("record", v.record);
            let _ = value.setattr("field", v.field);
            let _ = value.setattr("problem", v.problem);
            err
        }
        E::Parse { .. } => ParseError::new_err(message),
        E::Format { .. } => FormatError::new_err(message),
        E::Io { .. } => HubmatchIOError::new_err(message),
        E::Overflow(_) => NumericRangeError::new_err(message),
        E::Infeasible(_) => InfeasibleError::new_err(message),
        E::Certificate(_) => CertificateError::new_err(message),
        E::Cancelled => PyKeyboardInterrupt::new_err("cancelled"),
    }
}

/// Runs `f` on a worker thread while this thread waits without the GIL, and
/// turns its error, or a panic, into an exception. Every 50 ms the waiting
/// thread takes the GIL to check for signals: on Ctrl-C it sets the flag `f`
/// was given, which stops a running solve, and raises `KeyboardInterrupt`.
/// Every slow call of the module goes through here.
pub fn run<T: Send>(
    py: Python<'_>,
    f: impl FnOnce(&CancelFlag) -> hubmatch::Result<T> + Send,
) -> PyResult<T> {
    let flag = CancelFlag::default();
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|scope| {
        let worker_flag = flag.clone();
        scope.spawn(move || {
            let outcome = catch_unwind(AssertUnwindSafe(|| f(&worker_flag)));
            let _ = tx.send(outcome);
        });
        let mut rx = rx;
        loop {
            let (back, received) = py.detach(move || {
                let r = rx.recv_timeout(Duration::from_millis(50));
                (rx, r)
            });
            rx = back;
            match received {
                Ok(Ok(Ok(v))) => return Ok(v),
                Ok(Ok(Err(e))) => return Err(to_py(py, e)),
                Ok(Err(panic)) => {
                    let what = panic
                        .downcast_ref::<&str>()
                        .map(|s| (*s).to_owned())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "unknown panic".to_owned());
                    return Err(InternalError::new_err(format!("internal error: {what}")));
                }
                Err(RecvTimeoutError::Timeout) => {
                    if let Err(interrupt) = py.check_signals() {
                        // The scope joins the worker, which stops within about a thousand pivots.
                        flag.cancel();
                        return Err(interrupt);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(InternalError::new_err(
                        "internal error: the worker thread vanished",
                    ));
                }
            }
        }
    })
}

/// A parse error about a table, for failures while reading frames.
pub fn to_py_parse(source_name: &str, message: &str) -> PyErr {
    ParseError::new_err(format!("{source_name}: {message}"))
}
