-- One database per service: no service reads another's tables.
CREATE DATABASE catalog;
CREATE DATABASE registration;
CREATE DATABASE notifications;
