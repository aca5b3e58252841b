DROP TABLE dispatch_unassigned;
DROP TABLE dispatch_technician_routes;
DROP TABLE dispatch_routes;
DROP TABLE dispatches;
DROP TABLE service_orders;
