// The dispatch request: the public model a user sends to have service orders routed to
// technicians. Times are plain numbers in one unit the caller chooses (minutes from the start of
// the horizon for haversine travel, whose speed is in km/h); the solver never reads a clock.
import * as t from 'io-ts';
import {
  FiniteNumber,
  NonEmptyString,
  NonNegativeInteger,
  NonNegativeNumber,
  PositiveInteger,
  PositiveNumber,
  nonEmptyArray,
  strictObject,
  taggedUnion,
} from './dispatchCodecKit.js';

export const PlanarLocation = strictObject('PlanarLocation', { x: FiniteNumber, y: FiniteNumber }, {});
export const GeoLocation = strictObject(
  'GeoLocation',
  {
    lat: new t.Type<number, number, unknown>(
      'Latitude',
      (u): u is number => typeof u === 'number' && u >= -90 && u <= 90,
      (u, c) => (typeof u === 'number' && u >= -90 && u <= 90 ? t.success(u) : t.failure(u, c, 'must be a latitude in [-90, 90]')),
      t.identity,
    ),
    lon: new t.Type<number, number, unknown>(
      'Longitude',
      (u): u is number => typeof u === 'number' && u >= -180 && u <= 180,
      (u, c) =>
        typeof u === 'number' && u >= -180 && u <= 180 ? t.success(u) : t.failure(u, c, 'must be a longitude in [-180, 180]'),
      t.identity,
    ),
  },
  {},
);
/** A row/column of the travel matrix supplied with the request. */
export const MatrixLocation = strictObject('MatrixLocation', { matrixIndex: NonNegativeInteger }, {});

export type PlanarLocation = t.TypeOf<typeof PlanarLocation>;
export type GeoLocation = t.TypeOf<typeof GeoLocation>;
export type MatrixLocation = t.TypeOf<typeof MatrixLocation>;
export type Location = PlanarLocation | GeoLocation | MatrixLocation;

/** A location is recognised by its fields: x/y, lat/lon or matrixIndex. */
export const Location = new t.Type<Location, unknown, unknown>(
  'Location',
  (u): u is Location => PlanarLocation.is(u) || GeoLocation.is(u) || MatrixLocation.is(u),
  (u, c) => {
    if (typeof u !== 'object' || u === null) return t.failure(u, c, 'must be an object');
    if ('matrixIndex' in u) return MatrixLocation.validate(u, c);
    if ('lat' in u || 'lon' in u) return GeoLocation.validate(u, c);
    if ('x' in u || 'y' in u) return PlanarLocation.validate(u, c);
    return t.failure(u, c, 'must have x and y, lat and lon, or matrixIndex');
  },
  t.identity,
);

export const TimeWindow = strictObject('TimeWindow', { start: FiniteNumber, end: FiniteNumber }, {});
export type TimeWindow = t.TypeOf<typeof TimeWindow>;

/** What an order asks for, apart from its id: shared with the service-order API (serviceOrders.ts). */
export const ORDER_REQUIRED_FIELDS = {
  location: Location,
  /** Service must START inside one of these windows; arriving early means waiting. */
  timeWindows: nonEmptyArray(TimeWindow, 'TimeWindows'),
  serviceDuration: NonNegativeNumber,
};
export const ORDER_OPTIONAL_FIELDS = {
  requiredSkills: t.array(NonEmptyString),
  /** Weight of leaving this order unassigned (default 1); an urgent order gets a high one. */
  priority: PositiveInteger,
  /** Capacity consumed on the technician's vehicle (default 0). */
  demand: NonNegativeNumber,
};

export const ServiceOrder = strictObject('ServiceOrder', { id: NonEmptyString, ...ORDER_REQUIRED_FIELDS }, ORDER_OPTIONAL_FIELDS);
export type ServiceOrder = t.TypeOf<typeof ServiceOrder>;

export const Technician = strictObject(
  'Technician',
  { id: NonEmptyString, startLocation: Location, shift: TimeWindow },
  {
    /** Where the route ends (default: the start location). */
    endLocation: Location,
    skills: t.array(NonEmptyString),
    /** Vehicle capacity (default: unlimited). */
    capacity: NonNegativeNumber,
    /** Cost of using this technician at all (default: objective.technicianFixedCost). */
    fixedCost: NonNegativeNumber,
  },
);
export type Technician = t.TypeOf<typeof Technician>;

const NumberMatrix = t.array(t.array(NonNegativeNumber));

export const TravelModel = taggedUnion('TravelModel', 'kind', {
  /** Planar points; travel time = distance / speed (default speed 1, as in Solomon). */
  euclidean: strictObject('EuclideanTravel', { kind: t.literal('euclidean') }, { speed: PositiveNumber }),
  /** Lat/lon points; distance in km, travel time in minutes at speedKmh. */
  haversine: strictObject('HaversineTravel', { kind: t.literal('haversine'), speedKmh: PositiveNumber }, {}),
  /** Supplied matrices indexed by MatrixLocation.matrixIndex; distances default to durations. */
  matrix: strictObject('MatrixTravel', { kind: t.literal('matrix'), durations: NumberMatrix }, { distances: NumberMatrix }),
});
export type TravelModel = t.TypeOf<typeof TravelModel>;

export const ObjectiveMode = t.keyof({ hierarchical: null, weighted: null });
export type ObjectiveMode = t.TypeOf<typeof ObjectiveMode>;

/**
 * hierarchical (default): unassigned priority first, then technician fixed costs, then travel,
 * compared lexicographically. weighted: one sum of the three with the given weights.
 */
export const ObjectiveConfig = strictObject(
  'ObjectiveConfig',
  {},
  {
    mode: ObjectiveMode,
    /** weighted mode only: cost per unit of priority left unassigned (default: larger than any route plan). */
    unassignedPenalty: PositiveNumber,
    /** Fixed cost of each technician used (default 1, i.e. count technicians; 0 = travel only). */
    technicianFixedCost: NonNegativeNumber,
    /** Cost per unit of travel distance (default 1). */
    travelCost: NonNegativeNumber,
  },
);
export type ObjectiveConfig = t.TypeOf<typeof ObjectiveConfig>;

export const FixedVisitStatus = t.keyof({ started: null, completed: null });
export type FixedVisitStatus = t.TypeOf<typeof FixedVisitStatus>;

/** A visit already started or completed: re-dispatch keeps it where and when it happened. */
export const FixedVisit = strictObject(
  'FixedVisit',
  { orderId: NonEmptyString, technicianId: NonEmptyString, status: FixedVisitStatus, serviceStart: FiniteNumber },
  {},
);
export type FixedVisit = t.TypeOf<typeof FixedVisit>;

export const SolverSettings = strictObject(
  'SolverSettings',
  {},
  { timeLimitMs: PositiveNumber, iterationBudget: PositiveInteger, unimprovedLimitMs: PositiveNumber, seed: NonNegativeInteger },
);
export type SolverSettings = t.TypeOf<typeof SolverSettings>;

export const DispatchRequest = strictObject(
  'DispatchRequest',
  { orders: t.array(ServiceOrder), technicians: t.array(Technician), travel: TravelModel },
  {
    objective: ObjectiveConfig,
    fixedVisits: t.array(FixedVisit),
    /** Re-dispatch: no new visit starts a journey before this time. */
    now: FiniteNumber,
    solver: SolverSettings,
  },
);
export type DispatchRequest = t.TypeOf<typeof DispatchRequest>;
