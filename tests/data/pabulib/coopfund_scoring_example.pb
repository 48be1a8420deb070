META
key;value
description;Scoring ballots example written for coopfund's tests (not a real election)
country;none
unit;coopfund tests
instance;2026
num_projects;3
num_votes;3
budget;10000
vote_type;scoring
rule;greedy
date_begin;01.11.2026
date_end;30.11.2026
min_points;0
max_points;5
PROJECTS
project_id;cost;name
S1;6000;Tool library
S2;4000;Bike racks
S3;5000;Seed bank
VOTES
voter_id;vote;points
v1;S1,S2,S3;5,3,0
v2;S2,S3;4,4
v3;S1;2
