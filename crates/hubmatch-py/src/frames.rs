//! Data frames in: Arrow tables (from pandas, polars or pyarrow, through the
//! Arrow C stream interface) read as core [`Table`]s. Columns are converted
//! once, in Rust; no Python code runs per row.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field};
use hubmatch::io::tables::{Table, cell_error};
use hubmatch::{Error, Result};
use pyo3::prelude::*;
use pyo3_arrow::PyTable;

/// One column, converted to the few types the district tables use.
enum Column {
    Text(ArrayRef),
    Int(ArrayRef),
    Real(ArrayRef),
    List(ArrayRef),
    Null,
    Other(DataType),
}

/// An Arrow table as a core [`Table`].
pub struct ArrowTable {
    name: String,
    rows: usize,
    columns: HashMap<String, Column>,
}

fn convert(array: &ArrayRef) -> std::result::Result<Column, arrow_schema::ArrowError> {
    use DataType as T;
    let cast = |to: &DataType| arrow_cast::cast(array, to);
    Ok(match array.data_type() {
        T::Utf8 | T::LargeUtf8 | T::Utf8View => Column::Text(cast(&T::Utf8)?),
        T::Dictionary(_, value) if matches!(**value, T::Utf8 | T::LargeUtf8 | T::Utf8View) => {
            Column::Text(cast(&T::Utf8)?)
        }
        T::Int8 | T::Int16 | T::Int32 | T::Int64 | T::UInt8 | T::UInt16 | T::UInt32 | T::UInt64 => {
            Column::Int(cast(&T::Int64)?)
        }
        T::Float16 | T::Float32 | T::Float64 => Column::Real(cast(&T::Float64)?),
        T::List(_) | T::LargeList(_) | T::ListView(_) | T::LargeListView(_) => {
            Column::List(cast(&T::List(Arc::new(Field::new("item", T::Utf8, true))))?)
        }
        T::Null => Column::Null,
        other => Column::Other(other.clone()),
    })
}

impl ArrowTable {
    /// Reads every batch of `table` into one table named `name`.
    pub fn new(name: &str, table: PyTable) -> PyResult<ArrowTable> {
        let (batches, schema) = table.into_inner();
        let batch: RecordBatch = arrow_select::concat::concat_batches(&schema, &batches)
            .map_err(|e| crate::errors::to_py_parse(name, &e.to_string()))?;
        let mut columns = HashMap::new();
        for (field, array) in schema.fields().iter().zip(batch.columns()) {
            let column = convert(array).map_err(|e| {
                crate::errors::to_py_parse(name, &format!("column {:?}: {e}", field.name()))
            })?;
            columns.insert(field.name().clone(), column);
        }
        Ok(ArrowTable {
            name: name.to_owned(),
            rows: batch.num_rows(),
            columns,
        })
    }

    fn column(&self, column: &str) -> Option<&Column> {
        self.columns.get(column)
    }

    fn wrong_type(&self, row: usize, column: &str, wanted: &str) -> Error {
        let got = match self.column(column) {
            Some(Column::Text(_)) => "text".to_owned(),
            Some(Column::Int(_)) => "integers".to_owned(),
            Some(Column::Real(_)) => "floats".to_owned(),
            Some(Column::List(_)) => "lists".to_owned(),
            Some(Column::Null) | None => "nothing".to_owned(),
            Some(Column::Other(t)) => t.to_string(),
        };
        cell_error(
            self,
            row,
            column,
            format!("must hold {wanted}, got a column of {got}"),
        )
    }
}

impl Table for ArrowTable {
    fn name(&self) -> &str {
        &self.name
    }

    fn rows(&self) -> usize {
        self.rows
    }

    fn has_column(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    fn locate(&self, row: usize) -> String {
        format!("row {row}")
    }

    fn text(&self, column: &str, row: usize) -> Result<Option<String>> {
        match self.column(column) {
            None | Some(Column::Null) => Ok(None),
            Some(Column::Text(a)) => Ok((!a.is_null(row))
                .then(|| a.as_string::<i32>().value(row))
                .filter(|s| !s.is_empty())
                .map(str::to_owned)),
            // Integer ids are common in frames; they read as their decimal text.
            Some(Column::Int(a)) => {
                Ok((!a.is_null(row)).then(|| a.as_primitive::<Int64Type>().value(row).to_string()))
            }
            // pandas reads an all-empty text column as floats (NaN): empty is fine.
            Some(Column::Real(a))
                if a.is_null(row) || a.as_primitive::<Float64Type>().value(row).is_nan() =>
            {
                Ok(None)
            }
            Some(_) => Err(self.wrong_type(row, column, "text")),
        }
    }

    fn int(&self, column: &str, row: usize) -> Result<Option<i64>> {
        match self.column(column) {
            None | Some(Column::Null) => Ok(None),
            Some(Column::Int(a)) => {
                Ok((!a.is_null(row)).then(|| a.as_primitive::<Int64Type>().value(row)))
            }
            // pandas turns integer columns with gaps into floats: accept whole numbers.
            Some(Column::Real(a)) => {
                if a.is_null(row) {
                    return Ok(None);
                }
                let x = a.as_primitive::<Float64Type>().value(row);
                if x.is_nan() {
                    Ok(None)
                } else if x.fract() == 0.0 && x.abs() < 9.0e15 {
                    Ok(Some(x as i64))
                } else {
                    Err(cell_error(
                        self,
                        row,
                        column,
                        format!("{x} is not an integer"),
                    ))
                }
            }
            Some(_) => Err(self.wrong_type(row, column, "integers")),
        }
    }

    fn real(&self, column: &str, row: usize) -> Result<Option<f64>> {
        match self.column(column) {
            None | Some(Column::Null) => Ok(None),
            Some(Column::Real(a)) => Ok((!a.is_null(row))
                .then(|| a.as_primitive::<Float64Type>().value(row))
                .filter(|x| !x.is_nan())),
            Some(Column::Int(a)) => {
                Ok((!a.is_null(row)).then(|| a.as_primitive::<Int64Type>().value(row) as f64))
            }
            Some(_) => Err(self.wrong_type(row, column, "numbers")),
        }
    }

    fn list(&self, column: &str, row: usize) -> Result<Vec<String>> {
        match self.column(column) {
            Some(Column::List(a)) => {
                if a.is_null(row) {
                    return Ok(Vec::new());
                }
                let item = a.as_list::<i32>().value(row);
                let strings = item.as_string::<i32>();
                Ok((0..strings.len())
                    .filter(|&k| !strings.is_null(k))
                    .map(|k| strings.value(k).to_owned())
                    .collect())
            }
            _ => Ok(self
                .text(column, row)?
                .map(|s| {
                    s.split(';')
                        .map(str::trim)
                        .filter(|x| !x.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()),
        }
    }
}

/// Any data frame or table as a [`PyTable`]: objects with the Arrow C stream
/// interface directly (pyarrow, polars, recent pandas), other pandas frames
/// through `pyarrow.Table.from_pandas`.
pub fn to_table(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<ArrowTable> {
    let py = obj.py();
    let table: PyTable = if obj.hasattr("__arrow_c_stream__")? {
        obj.extract()?
    } else if obj.hasattr("to_records")? && obj.hasattr("columns")? {
        let pa = py.import("pyarrow")?;
        let kwargs = pyo3::types::PyDict::new(py);
        kwargs.set_item("preserve_index", false)?;
        pa.getattr("Table")?
            .call_method("from_pandas", (obj,), Some(&kwargs))?
            .extract()?
    } else {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{name}: expected a pandas, polars or pyarrow table, got {}",
            obj.get_type().name()?
        )));
    };
    ArrowTable::new(name, table)
}
