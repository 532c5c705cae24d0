/**
 * The field manager of every DagInstance status write (the operator is the
 * only writer): one fixed name whatever the replica, so a new leader's writes
 * never move the ownership of a field and managedFields stays one entry.
 */
export const STATUS_FIELD_MANAGER = 'fastflow';
