"""Files in and out: `formats` reads CSV and JSON Lines (our columns or IAF MD 28) into what each
row states, `certificates` and `accreditations` apply them with the write API's rules, `export`
gives a CB's certificates back."""
