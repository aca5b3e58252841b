-- Read models of service orders and dispatches, built by the `service-orders` and `dispatches`
-- projections. Every row carries its org id; every query filters by it. Retention prunes
-- service_orders by created_at.
CREATE TABLE service_orders (
  org_id text NOT NULL,
  order_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'cancelled', 'completed')),
  priority integer NOT NULL,
  -- {x, y}, {lat, lon} or {matrixIndex}, as the routing request takes it.
  location jsonb NOT NULL,
  time_windows jsonb NOT NULL,
  service_duration double precision NOT NULL,
  required_skills text[] NOT NULL,
  demand double precision NOT NULL,
  cancel_reason text,
  version integer NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, order_id)
);
CREATE INDEX service_orders_newest_first ON service_orders (org_id, created_at DESC, order_id DESC);
CREATE INDEX service_orders_by_status ON service_orders (org_id, status, created_at DESC);
CREATE INDEX service_orders_created_at ON service_orders (created_at);

CREATE TABLE dispatches (
  org_id text NOT NULL,
  dispatch_id text NOT NULL,
  name text NOT NULL,
  status text NOT NULL,
  generation integer NOT NULL,
  -- {kind: explicit} or {kind: schedule, scheduleId, day}.
  source jsonb NOT NULL,
  orders integer NOT NULL,
  technicians integer NOT NULL,
  -- The routing request as it stands (orders and technicians after every change), the visits
  -- reported started or completed, and the re-dispatch time: together what the next generation solves.
  request jsonb NOT NULL,
  fixed_visits jsonb NOT NULL DEFAULT '[]',
  now double precision,
  solver jsonb NOT NULL,
  objective jsonb,
  progress jsonb,
  stats jsonb,
  failure_reason text,
  version integer NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, dispatch_id)
);
CREATE INDEX dispatches_newest_first ON dispatches (org_id, created_at DESC, dispatch_id DESC);

-- One row per visit of a technician's route, in order.
CREATE TABLE dispatch_routes (
  org_id text NOT NULL,
  dispatch_id text NOT NULL,
  technician_id text NOT NULL,
  sequence integer NOT NULL,
  order_id text NOT NULL,
  planned_arrival double precision NOT NULL,
  planned_start double precision NOT NULL,
  planned_departure double precision NOT NULL,
  -- planned, started or completed (the last two are fixed for every later generation).
  visit_status text NOT NULL,
  fixed boolean NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, dispatch_id, technician_id, sequence)
);
CREATE INDEX dispatch_routes_by_order ON dispatch_routes (org_id, dispatch_id, order_id);

-- Per technician: when the route leaves and returns, its distance and load.
CREATE TABLE dispatch_technician_routes (
  org_id text NOT NULL,
  dispatch_id text NOT NULL,
  technician_id text NOT NULL,
  departure double precision NOT NULL,
  arrival double precision NOT NULL,
  distance double precision NOT NULL,
  load double precision NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, dispatch_id, technician_id)
);

CREATE TABLE dispatch_unassigned (
  org_id text NOT NULL,
  dispatch_id text NOT NULL,
  order_id text NOT NULL,
  reason text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, dispatch_id, order_id)
);
