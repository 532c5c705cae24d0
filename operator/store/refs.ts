/**
 * The one field manager of every DagInstance status write, operator's and
 * workers' alike. The API server tracks which manager owns each field; with
 * one name the ownership of a task entry never moves between managers, which
 * keeps managedFields to one entry instead of one per writer (and the
 * per-write bookkeeping cheaper).
 */
export const STATUS_FIELD_MANAGER = 'fastflow';
