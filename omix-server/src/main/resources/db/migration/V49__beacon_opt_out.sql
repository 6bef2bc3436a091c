-- A person's choice to keep their samples out of the Beacon's answers to others, whatever projects an operator
-- publishes (their own answers still cover them). Off by default: publication is the operator's decision, made
-- knowing the participants' consent allows it; this is each person's objection to it.
ALTER TABLE users ADD COLUMN beacon_opt_out BOOLEAN DEFAULT FALSE NOT NULL;
