import type { z } from 'zod';
import { DagSpec, DagStatus } from '../dag.ts';
import { DagInstanceSpec, DagInstanceStatus } from '../dag-instance.ts';
import { DagScheduleSpec, DagScheduleStatus } from '../dag-schedule.ts';
import {
  CATEGORY,
  DAG,
  DAG_INSTANCE,
  DAG_SCHEDULE,
  GROUP,
  TASK_RESULT,
  TASK_SHARD,
  VERSION,
} from '../names.ts';
import { TaskResultSpec } from '../task-result.ts';
import { TaskShardSpec } from '../task-shard.ts';
import { toStructuralSchema } from './json-schema.ts';
import type { StructuralSchema } from './structural-schema.ts';

/** The CustomResourceDefinitions, built from the zod schemas in operator/api. */

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames: string[];
      categories: string[];
    };
    scope: 'Namespaced';
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources?: { status: Record<string, never> };
      additionalPrinterColumns: PrinterColumn[];
      schema: { openAPIV3Schema: StructuralSchema };
    }[];
  };
}

interface KindNames {
  kind: string;
  plural: string;
  singular: string;
  shortName: string;
}

interface KindDefinition {
  names: KindNames;
  description: string;
  spec: { schema: z.ZodType; description: string };
  /** Absent for a kind without a status (its one writer writes the spec). */
  status?: { schema: z.ZodType; description: string };
  columns: PrinterColumn[];
}

const AGE: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
};

export function dagCrd(): CustomResourceDefinition {
  return buildCrd({
    names: DAG,
    description:
      'A Dag is a directed acyclic graph of tasks: fastflow\'s Dag document under "spec". ' +
      'Each DagInstance runs it once.',
    spec: {
      schema: DagSpec,
      description:
        'The Dag document as fastflow writes it (id, cron, createdAt and updatedAt are kept ' +
        "for migration and not used: the object's name is the id).",
    },
    status: {
      schema: DagStatus,
      description: 'What the operator found when it checked the spec (graph, actions, vars).',
    },
    columns: [
      {
        name: 'Tasks',
        type: 'integer',
        jsonPath: '.status.taskCount',
        description: 'Number of tasks in the Dag.',
      },
      {
        name: 'Valid',
        type: 'string',
        jsonPath: '.status.conditions[?(@.type=="Valid")].status',
        description: 'Whether the operator accepted the Dag.',
      },
      AGE,
    ],
  });
}

export function dagInstanceCrd(): CustomResourceDefinition {
  return buildCrd({
    names: DAG_INSTANCE,
    description:
      'A DagInstance is one run of a Dag with its vars. The spec cannot change once created; ' +
      'the status holds the state of each task.',
    spec: {
      schema: DagInstanceSpec,
      description: 'The Dag to run and the values of its vars; immutable.',
    },
    status: {
      schema: DagInstanceStatus,
      description: 'Progress of the run, written by the operator only.',
    },
    columns: [
      {
        name: 'Dag',
        type: 'string',
        jsonPath: '.spec.dagRef.name',
        description: 'The Dag this instance runs.',
      },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'Progress', type: 'string', jsonPath: '.status.progress' },
      AGE,
      { name: 'Duration', type: 'string', jsonPath: '.status.duration' },
      { name: 'Message', type: 'string', jsonPath: '.status.message', priority: 1 },
    ],
  });
}

export function dagScheduleCrd(): CustomResourceDefinition {
  return buildCrd({
    names: DAG_SCHEDULE,
    description:
      'A DagSchedule starts a DagInstance of a Dag each time its cron expression is due, ' +
      'as a Kubernetes CronJob starts Jobs (docs/schedules.md).',
    spec: {
      schema: DagScheduleSpec,
      description: 'The Dag, when it is due, and what to do with late and overlapping runs.',
    },
    status: {
      schema: DagScheduleStatus,
      description: 'Runs started, missed and due, written by the operator only.',
    },
    columns: [
      { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule' },
      { name: 'Last', type: 'date', jsonPath: '.status.lastScheduleTime' },
      { name: 'Next', type: 'string', jsonPath: '.status.nextScheduleTime' },
      { name: 'Active', type: 'integer', jsonPath: '.status.activeCount' },
      { name: 'Suspend', type: 'boolean', jsonPath: '.spec.suspend' },
      AGE,
      { name: 'Dag', type: 'string', jsonPath: '.spec.dagRef.name', priority: 1 },
      {
        name: 'Ready',
        type: 'string',
        jsonPath: '.status.conditions[?(@.type=="Ready")].message',
        priority: 1,
      },
    ],
  });
}

export function taskResultCrd(): CustomResourceDefinition {
  return buildCrd({
    names: TASK_RESULT,
    description:
      "A TaskResult holds one worker's reports on its attempts of one DagInstance. The " +
      'operator folds them into the instance status (only for the attempt still current) ' +
      'and deletes the object.',
    spec: {
      schema: TaskResultSpec,
      description: 'Written by its worker only: the newest report of each attempt not yet folded.',
    },
    columns: [
      { name: 'Instance', type: 'string', jsonPath: '.spec.instance' },
      { name: 'Worker', type: 'string', jsonPath: '.spec.worker' },
      AGE,
    ],
  });
}

export function taskShardCrd(): CustomResourceDefinition {
  return buildCrd({
    names: TASK_SHARD,
    description:
      'A TaskShard holds finished task entries of one DagInstance, moved out of its status ' +
      'by the operator so that the instance stays small. Written once, never changed; ' +
      'deleted with its instance.',
    spec: {
      schema: TaskShardSpec,
      description: 'Written once by the operator: entries as they were in status.tasks.',
    },
    columns: [
      { name: 'Instance', type: 'string', jsonPath: '.spec.instance' },
      { name: 'Index', type: 'integer', jsonPath: '.spec.index' },
      AGE,
    ],
  });
}

function buildCrd(def: KindDefinition): CustomResourceDefinition {
  const { kind, plural, singular, shortName } = def.names;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        kind,
        listKind: `${kind}List`,
        plural,
        singular,
        shortNames: [shortName],
        categories: [CATEGORY],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          ...(def.status ? { subresources: { status: {} } } : {}),
          additionalPrinterColumns: def.columns,
          schema: { openAPIV3Schema: rootSchema(def) },
        },
      ],
    },
  };
}

function rootSchema(def: KindDefinition): StructuralSchema {
  const spec = toStructuralSchema(def.spec.schema, 'spec');
  const status = def.status && {
    status: {
      description: def.status.description,
      ...toStructuralSchema(def.status.schema, 'status'),
    },
  };
  return {
    description: def.description,
    type: 'object',
    properties: {
      apiVersion: {
        description:
          'APIVersion defines the versioned schema of this representation of an object. ' +
          'More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
        type: 'string',
      },
      kind: {
        description:
          'Kind is a string value representing the REST resource this object represents. ' +
          'More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
        type: 'string',
      },
      metadata: { type: 'object' },
      spec: { description: def.spec.description, ...spec },
      ...status,
    },
    required: ['spec'],
  };
}
