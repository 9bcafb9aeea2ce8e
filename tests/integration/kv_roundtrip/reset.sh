#!/bin/sh
# A fresh, empty store directory for every run.
rm -rf data && mkdir data
